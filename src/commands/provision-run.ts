/**
 * The work behind `dockhand plan` and `dockhand up` (options in provision.ts): gather facts, build the
 * plan (the same pure buildPlan for both), then print it (plan) or apply it (up).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { applyPlan, renderSummary, summarize, type ApplyResult } from '../apply/apply.js';
import { buildContext, type GlobalArgs } from './context.js';
import { ExitCode, UsageError } from '../core/errors.js';
import {
  dataRootProblem,
  logFileCountProblem,
  logSizeProblem,
  noProxyProblem,
  parseDaemonOpt,
  proxyProblem,
  registryMirrorProblem,
  urlCredentials,
} from '../core/daemon-values.js';
import { addSecret } from '../core/output.js';
import type { DaemonOptions } from '../plan/daemon-settings.js';
import { accountNameProblem, dockerVersionProblem, fingerprintProblem, mirrorProblem, releaseNameProblem } from '../core/values.js';
import type { Logger } from '../core/log.js';
import { gatherFacts } from '../facts/gather.js';
import { logFailure, runFleetCommand, type HostTask } from '../fleet/command.js';
import { dockerCli, renderContextPlan, syncDockerContexts } from '../contexts/docker-contexts.js';
import type { FleetReport } from '../fleet/types.js';
import type { HostEntry } from '../inventory/types.js';
import { planForHost } from '../plan/build.js';
import { osLabel, planOptionsFor, type HostPlanOptions } from '../plan/host-options.js';
import { changes, type Plan } from '../plan/model.js';
import type { Playbook } from '../playbook/schema.js';
import { renderPlan } from '../plan/render.js';
import { SafeStyled, stdoutPaint } from '../core/output-colour.js';
import { shJoin } from '../shell/quote.js';

/** `plan`/`up` flags (declared in provision.ts) beside the options every host command has. */
export interface ProvisionArgs extends GlobalArgs {
  targets?: string[];
  source?: 'docker' | 'distro';
  'docker-version'?: string;
  mirror?: string;
  channel?: 'stable' | 'test';
  'key-fingerprint'?: string;
  users?: string[];
  os?: string;
  codename?: string;
  'allow-storage-switch'?: boolean;
  'daemon-opt'?: string[];
  'log-max-size'?: string;
  'log-max-file'?: number;
  'live-restore'?: boolean;
  'registry-mirror'?: string[];
  'data-root'?: string;
  proxy?: string | false;
  'no-proxy'?: string;
  'image-store'?: 'overlay2' | 'containerd';
  contexts?: boolean;
  'show-commands'?: boolean;
}

/**
 * The flags only, their syntax checked here, before any host is resolved or connected; each host's
 * inventory variables (checked when the inventory loads) fill in what they leave unset (planOptionsFor).
 */
export function flagOptions(argv: ProvisionArgs): HostPlanOptions {
  const check = (flag: string, value: string | undefined, rule: (v: string) => string | undefined) => {
    const problem = value === undefined ? undefined : rule(value);
    if (problem) throw new UsageError(`--${flag}: ${problem}`);
  };
  check('docker-version', argv['docker-version'], dockerVersionProblem);
  check('mirror', argv.mirror, mirrorProblem);
  check('key-fingerprint', argv['key-fingerprint'], fingerprintProblem);
  for (const user of argv.users ?? []) check('users', user, accountNameProblem);
  check('os', argv.os, releaseNameProblem);
  check('codename', argv.codename, releaseNameProblem);
  return {
    source: argv.source,
    dockerVersion: argv['docker-version'],
    mirror: argv.mirror,
    channel: argv.channel,
    keyFingerprint: argv['key-fingerprint'],
    users: argv.users,
    os: argv.os,
    codename: argv.codename,
    allowStorageSwitch: argv['allow-storage-switch'],
    daemon: daemonFlags(argv),
  };
}

/** The daemon flags, each checked (usage errors name the flag); undefined when none is given. */
export function daemonFlags(argv: ProvisionArgs): DaemonOptions | undefined {
  const bad = (flag: string, problem: string | undefined) => {
    if (problem) throw new UsageError(`--${flag}: ${problem}`);
  };
  const settings: Record<string, unknown> = {};
  for (const opt of argv['daemon-opt'] ?? []) {
    const parsed = parseDaemonOpt(opt);
    if ('problem' in parsed) throw new UsageError(`--daemon-opt: ${parsed.problem}`);
    settings[parsed.key] = parsed.value;
  }
  if (argv['log-max-size'] !== undefined) bad('log-max-size', logSizeProblem(String(argv['log-max-size'])));
  if (argv['log-max-file'] !== undefined) bad('log-max-file', logFileCountProblem(argv['log-max-file']));
  for (const m of argv['registry-mirror'] ?? []) bad('registry-mirror', registryMirrorProblem(m));
  if (argv['data-root'] !== undefined) bad('data-root', dataRootProblem(argv['data-root']));
  // yargs reads a bare `--no-proxy` as "not --proxy": the value form is what is meant.
  if (argv.proxy === false) throw new UsageError('--no-proxy needs a value: hosts reached without the proxy, e.g. --no-proxy localhost,10.0.0.0/8');
  if (argv.proxy !== undefined) bad('proxy', proxyProblem(argv.proxy));
  if (argv['no-proxy'] !== undefined) bad('no-proxy', noProxyProblem(argv['no-proxy']));
  // A proxy (or any URL given as a daemon.json value) may carry a password: it goes into the host's
  // files as given, and nowhere else — every writer masks it from here on.
  maskUrlCredentials([argv.proxy, settings]);
  const options: DaemonOptions = {
    ...(Object.keys(settings).length ? { settings } : {}),
    ...(argv['log-max-size'] !== undefined ? { logMaxSize: String(argv['log-max-size']) } : {}),
    ...(argv['log-max-file'] !== undefined ? { logMaxFile: argv['log-max-file'] } : {}),
    ...(argv['live-restore'] !== undefined ? { liveRestore: argv['live-restore'] } : {}),
    ...(argv['registry-mirror'] !== undefined ? { registryMirrors: argv['registry-mirror'] } : {}),
    ...(argv['data-root'] !== undefined ? { dataRoot: argv['data-root'] } : {}),
    ...(argv.proxy !== undefined ? { proxy: argv.proxy } : {}),
    ...(argv['no-proxy'] !== undefined ? { noProxy: argv['no-proxy'] } : {}),
    ...(argv['image-store'] !== undefined ? { imageStore: argv['image-store'] } : {}),
  };
  return Object.keys(options).length ? options : undefined;
}

/** Register as secrets the credentials of every URL among these values (walked through lists and maps). */
export function maskUrlCredentials(value: unknown): void {
  if (typeof value === 'string') urlCredentials(value).forEach(addSecret);
  else if (Array.isArray(value)) value.forEach(maskUrlCredentials);
  else if (value && typeof value === 'object') Object.values(value).forEach(maskUrlCredentials);
}

/** What `up --json` reports per host (the `data` of its host event). */
export interface AppliedHost {
  host: string;
  playbook: string;
  distro: string;
  steps: ApplyResult['steps'];
  summary: ReturnType<typeof summarize>;
  error?: string;
}

export async function run(argv: ProvisionArgs, mode: 'plan' | 'up'): Promise<ExitCode> {
  const checkedFlags = flagOptions(argv);
  const ctx = await buildContext({ ...argv, host: [...(argv.host ?? []), ...(argv.targets ?? [])] });
  // With -K, a sudo that asks for a password is usable: the plan's root check needs to know.
  const flags: HostPlanOptions = { ...checkedFlags, becomePassword: ctx.connect.becomePassword !== undefined };
  const playbooks = loadPlaybooksWhileConnecting();
  playbooks.catch(() => {}); // rejection handled where it is awaited
  const plans = new Map<string, Plan>();
  const applied = new Map<string, ApplyResult>();
  let contextsOk = true;

  const task: HostTask = async (transport, host, { report, detectedOs, logger }) => {
    maskUrlCredentials(host.vars.daemon); // the inventory's daemon: map, as the flags were
    const options = { ...planOptionsFor(host.vars, flags), loginUser: transport.loginUser };
    report('facts', 'running');
    // Users named for the docker group are looked up by the same probe, so the plan can refuse a missing one.
    const facts = await gatherFacts(transport, { accounts: options.users });
    const os = osLabel(facts, options);
    report('facts', 'ok', os);
    detectedOs(os);
    const plan = planForHost(facts, await playbooks, options);
    plans.set(host.name, plan);
    if (mode === 'plan') {
      // A dry run counts a step that would change the host as "changed", as Ansible's check mode does
      // (verify's checks change nothing: ok).
      for (const step of plan.steps) {
        report(step.id, 'running');
        report(step.id, changes(step) ? 'changed' : 'ok', step.reason);
      }
      return { outcome: 'ok', os, data: plan };
    }
    const result = await applyPlan(plan, transport, report, logger);
    // The daemon did not start (or answer): the doctor's finding says why, not systemctl's text alone.
    const failedStep = result.steps.find((st) => st.status === 'failed')?.id;
    if (result.error && failedStep) {
      const { DAEMON_STEPS, diagnoseDaemon } = await import('../doctor/diagnose.js');
      if (DAEMON_STEPS.has(failedStep)) result.error = await diagnoseDaemon(transport, result.error, logger);
    }
    applied.set(host.name, result);
    const data: AppliedHost = {
      host: plan.host,
      playbook: plan.playbook,
      distro: plan.distro,
      steps: result.steps,
      summary: summarize(result),
      error: result.error?.message,
    };
    if (!result.error) return { outcome: 'ok', os, data };
    logFailure(logger, host.name, result.error);
    return { outcome: 'failed', os, error: result.error.message.split('\n', 1)[0], data };
  };

  const inOrder = <T>(report: FleetReport, results: Map<string, T>) =>
    report.hosts.flatMap((h) => (results.has(h.host) ? [results.get(h.host)!] : []));
  const report = await runFleetCommand(ctx, task, {
    details: (r) =>
      mode === 'plan'
        ? new SafeStyled(inOrder(r, plans).map((p) => renderPlan(p, { showCommands: argv['show-commands'] || argv.verbose, paint: stdoutPaint() })).join(''))
        : inOrder(r, applied).map((a) => `${renderSummary(a)}\n`).join(''),
    afterRun:
      mode === 'up' && argv.contexts
        ? async (r, logger) => {
            contextsOk = await updateContexts(ctx.hosts, r, logger);
          }
        : undefined,
  });
  // A broken playbook is nobody's host's fault: it ends the run with its own error (exit 65, file:line).
  await playbooks;
  // The hosts' code first; a failed context update alone makes an otherwise clean run exit 2.
  return report.exitCode === ExitCode.ok && !contextsOk ? ExitCode.hostFailed : report.exitCode;
}

/**
 * The playbooks (compiled at build time, else yaml + zod and a dozen files: tens of ms of CPU),
 * loaded while the connections open rather than before: the fleet runner starts connecting in this
 * turn of the event loop, the loader and its dependencies are imported only then, and each file is
 * parsed in a turn of its own so the handshakes' network events are answered in between. A host's plan waits for them after its facts.
 */
async function loadPlaybooksWhileConnecting(): Promise<Playbook[]> {
  await nextTurn();
  // Parsed at build time when the build matches the playbook files (src/playbook/compiled.ts).
  const compiled = (await import('../playbook/compiled.js')).loadCompiledPlaybooks();
  if (compiled) return compiled;
  const { loadPlaybookFile, playbookFiles } = await import('../playbook/load.js');
  const playbooks: Playbook[] = [];
  for (const file of playbookFiles()) {
    await nextTurn();
    playbooks.push(loadPlaybookFile(file));
  }
  return playbooks;
}

/** `up --contexts`: a docker context per host that is now ready; the current context is left alone. */
async function updateContexts(hosts: readonly HostEntry[], report: FleetReport, logger: Logger): Promise<boolean> {
  const ready = new Set(report.hosts.filter((h) => h.outcome === 'ok' || h.outcome === 'changed').map((h) => h.host));
  const remote = hosts.filter((h) => ready.has(h.name) && h.spec.kind !== 'local');
  if (remote.length === 0) return true;
  try {
    const plan = await syncDockerContexts(remote, dockerCli(), { onCommand: (args) => logger.command('local', shJoin(['docker', ...args])) });
    plan.warnings.forEach((w) => logger.warn(w));
    for (const line of renderContextPlan(plan).trimEnd().split('\n')) logger.info(`docker context: ${line}`);
    return true;
  } catch (err) {
    logger.error(`docker contexts: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

