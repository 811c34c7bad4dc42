/**
 * The work behind `dockhand down` and `dockhand plan --down` (options in down.ts): gather facts,
 * measure the data directories when --purge-data asks to delete them, build the removal plan (the
 * same pure buildDownPlan for both), then print it (plan) or apply it (down) — asking first, naming
 * the sizes, before any data is deleted, unless --yes.
 */
import { applyPlan, renderSummary, reportPlanned, summarize, type ApplyResult } from '../apply/apply.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { accountNameProblem, releaseNameProblem } from '../core/values.js';
import { gatherFacts } from '../facts/gather.js';
import { runFleetCommand, type HostTask } from '../fleet/command.js';
import type { FleetReport } from '../fleet/types.js';
import { buildDownPlan } from '../plan/down/index.js';
import { CONTAINERD_ROOT, type DownPlan } from '../plan/down/model.js';
import { renderDownPlan } from '../plan/down/render.js';
import { dataDirs, humanBytes } from '../plan/down/steps.js';
import { osLabel, planOptionsFor } from '../plan/host-options.js';
import { shJoin } from '../shell/quote.js';
import type { Transport } from '../transport/types.js';
import { buildContext, type GlobalArgs } from './context.js';
import { loadPlaybooksWhileConnecting } from './provision-run.js';

export interface DownArgs extends GlobalArgs {
  targets?: string[];
  users?: string[];
  os?: string;
  codename?: string;
  'remove-group-members'?: boolean;
  'purge-data'?: boolean;
  yes?: boolean;
}

/** Sizes (bytes) of the directories that exist, measured as root on the host; paths are ours, never the host's. */
async function measure(transport: Transport, paths: readonly string[]): Promise<Record<string, number>> {
  const r = await transport.exec(
    `for d in ${shJoin(paths)}; do if [ -d "$d" ]; then printf '%s\\t%s\\n' "$d" "$(du -skx -- "$d" 2>/dev/null | cut -f1)"; fi; done`,
    { sudo: true, timeoutMs: 600_000 },
  );
  if (r.code !== 0) throw new Error(`${transport.name}: could not measure ${paths.join(', ')} (exit ${r.code})`);
  const sizes: Record<string, number> = {};
  for (const line of r.stdout.split('\n')) {
    const [path, kib] = line.split('\t');
    // Only the paths asked about, with a number: anything else the host says is not a size.
    if (path && paths.includes(path) && /^\d{1,15}$/.test(kib ?? '')) sizes[path] = Number(kib) * 1024;
    else if (path && paths.includes(path)) sizes[path] = 0;
  }
  return sizes;
}

export async function runDown(argv: DownArgs, mode: 'plan' | 'down'): Promise<ExitCode> {
  for (const user of argv.users ?? []) {
    const problem = accountNameProblem(user);
    if (problem) throw new UsageError(`--users: ${problem}`);
  }
  for (const flag of ['os', 'codename'] as const) {
    const problem = argv[flag] === undefined ? undefined : releaseNameProblem(argv[flag]!);
    if (problem) throw new UsageError(`--${flag}: ${problem}`);
  }
  const purge = argv['purge-data'] ?? false;
  const yes = argv.yes ?? false;
  const tty = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  // Data is never deleted without a yes: a terminal to ask on, or --yes.
  if (mode === 'down' && purge && !yes && !tty) {
    throw new UsageError('--purge-data deletes every image, container and volume: confirm on a terminal, or pass --yes');
  }
  const ctx = await buildContext({ ...argv, host: [...(argv.host ?? []), ...(argv.targets ?? [])] });
  const playbooks = loadPlaybooksWhileConnecting();
  playbooks.catch(() => {});
  const plans = new Map<string, DownPlan>();
  const applied = new Map<string, ApplyResult>();
  // One question at a time, whatever the concurrency.
  let asking: Promise<unknown> = Promise.resolve();
  const ask = async (question: string): Promise<boolean> => {
    const { askYesNo } = await import('../core/prompt.js');
    const answer = asking.then(() => askYesNo(question));
    asking = answer.catch(() => {});
    return answer;
  };

  const task: HostTask = async (transport, host, { report, detectedOs, logger }) => {
    const hostOptions = planOptionsFor(host.vars, { users: argv.users, os: argv.os, codename: argv.codename });
    report('facts', 'running');
    const facts = await gatherFacts(transport, { accounts: hostOptions.users });
    const os = osLabel(facts, hostOptions);
    report('facts', 'ok', os);
    detectedOs(os);
    const dataSizes = purge ? await measure(transport, [facts.dockerRoot.path, CONTAINERD_ROOT]) : undefined;
    const options = {
      users: hostOptions.users,
      loginUser: transport.loginUser,
      os: hostOptions.os,
      codename: hostOptions.codename,
      removeGroupMembers: argv['remove-group-members'] ?? false,
      purgeData: purge,
      dataSizes,
    };
    let plan = buildDownPlan(facts, await playbooks, options);
    if (mode === 'down' && purge && !yes && plan.steps.some((s) => s.id === 'purge-data' && s.commands.length)) {
      const what = dataDirs({ facts, options }).map((d) => `${d.path} (${humanBytes(d.bytes)})`).join(' and ');
      if (!(await ask(`${host.name}: delete ${what}, with every image, container and volume?`))) {
        logger.info(`${host.name}: keeping ${what} (not confirmed)`);
        plan = buildDownPlan(facts, await playbooks, { ...options, purgeData: false });
      }
    }
    plans.set(host.name, plan);
    if (mode === 'plan') {
      reportPlanned(plan, report);
      return { outcome: 'ok', os, data: plan };
    }
    const result = await applyPlan(plan, transport, report, logger);
    applied.set(host.name, result);
    const data = { host: plan.host, playbook: plan.playbook, distro: plan.distro, steps: result.steps, summary: summarize(result), error: result.error?.message };
    if (!result.error) return { outcome: 'ok', os, data };
    return { outcome: 'failed', os, error: result.error.message.split('\n', 1)[0], data };
  };

  const inOrder = <T>(report: FleetReport, results: Map<string, T>) => report.hosts.flatMap((h) => (results.has(h.host) ? [results.get(h.host)!] : []));
  const report = await runFleetCommand(ctx, task, {
    details: (r) => (mode === 'plan' ? inOrder(r, plans).map(renderDownPlan).join('') : inOrder(r, applied).map((a) => `${renderSummary(a)}\n`).join('')),
    interactive: mode === 'down' && purge && !yes,
  });
  await playbooks;
  return report.exitCode;
}
