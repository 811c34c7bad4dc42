/**
 * `dockhand plan` and `dockhand up`: gather facts, build the plan (the same pure buildPlan for
 * both), then print it (plan) or apply it (up). Thin: parsing and rendering only.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { renderSummary, summarize, applyPlan, type ApplyResult } from '../apply/apply.js';
import { chooseProgress } from '../apply/progress.js';
import { mapLimit } from '../core/concurrency.js';
import { buildContext, type GlobalArgs, type RunContext } from '../core/context.js';
import { ConnectError, DockhandError, ExitCode, exitCodeOf } from '../core/errors.js';
import { gatherFacts } from '../facts/gather.js';
import { loadPlaybooks } from '../playbook/load.js';
import type { Playbook } from '../playbook/schema.js';
import { planForHost } from '../plan/build.js';
import type { PlanOptions } from '../plan/context.js';
import type { Plan } from '../plan/model.js';
import { renderPlan } from '../plan/render.js';
import { openTransport } from '../transport/open.js';
import type { TargetSpec, Transport } from '../transport/types.js';
import { withTargetOptions } from './options.js';

interface ProvisionArgs extends GlobalArgs {
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
}

/** Hosts handled at once (OpenSSH throttles many simultaneous new connections). */
const PARALLEL_HOSTS = 8;

function withProvisionOptions<T>(y: Argv<T>) {
  return withTargetOptions(y)
    .positional('targets', { type: 'string', array: true, describe: 'hosts, as for -H' })
    .option('source', { choices: ['docker', 'distro'] as const, describe: "packages from Docker's repository or the distribution (default: per playbook)" })
    .option('docker-version', { type: 'string', describe: 'install this Engine version (27.5 or 27.5.1) and hold it' })
    .option('mirror', { type: 'string', describe: "base URL of a mirror of Docker's download site" })
    .option('channel', { choices: ['stable', 'test'] as const, describe: 'Docker repository channel (default stable)' })
    .option('key-fingerprint', { type: 'string', describe: "the repository key's fingerprint when a mirror re-signs" })
    .option('users', {
      type: 'string',
      array: true,
      coerce: (v: string[]) => v.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean),
      describe: 'users to add to the docker group (default: the login user, or SUDO_USER locally)',
    })
    .option('os', { type: 'string', describe: 'treat the host as this os-release ID (derivatives)' })
    .option('codename', { type: 'string', describe: 'treat the host as this release codename' })
    .option('allow-storage-switch', { type: 'boolean', describe: 'switch to overlay2 even if that hides images/containers of another driver' });
}

function planOptions(argv: ProvisionArgs): PlanOptions & { os?: string; codename?: string } {
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
  };
}

interface HostFailure {
  host: string;
  error: unknown;
}

/** Connect, gather facts, build the plan; `use` gets the open transport and the plan. */
async function withHostPlan<R>(
  spec: TargetSpec,
  ctx: RunContext,
  playbooks: readonly Playbook[],
  options: PlanOptions,
  use: (plan: Plan, transport: Transport) => Promise<R>,
): Promise<R> {
  const transport = await openTransport(spec, ctx.connect, ctx.logger);
  try {
    const facts = await gatherFacts(transport);
    return await use(planForHost(facts, playbooks, options), transport);
  } finally {
    await transport.close();
  }
}

async function run(argv: ProvisionArgs, mode: 'plan' | 'up'): Promise<void> {
  const ctx = await buildContext({ ...argv, host: [...(argv.host ?? []), ...(argv.targets ?? [])] });
  const playbooks = loadPlaybooks();
  const options = planOptions(argv);
  const failures: HostFailure[] = [];
  const progress = chooseProgress(ctx.targets.length);
  const results = await mapLimit(ctx.targets, PARALLEL_HOSTS, async (spec) => {
    try {
      return await withHostPlan(spec, ctx, playbooks, options, async (plan, transport) => {
        if (mode === 'plan') {
          if (!ctx.json) process.stdout.write(renderPlan(plan));
          return { plan };
        }
        const applied = await applyPlan(plan, transport, progress, ctx.logger);
        if (applied.error) failures.push({ host: spec.name, error: applied.error });
        if (!ctx.json) process.stdout.write(`${renderSummary(applied)}\n`);
        return { plan, applied };
      });
    } catch (error) {
      failures.push({ host: spec.name, error });
      return undefined;
    }
  });
  for (const f of failures) reportFailure(ctx, f);
  if (ctx.json) {
    const out = results.filter((r) => r !== undefined).map((r) => (mode === 'plan' ? r.plan : applyJson(r.plan, r.applied!)));
    const errors = failures.map((f) => ({ host: f.host, error: f.error instanceof Error ? f.error.message : String(f.error) }));
    process.stdout.write(`${JSON.stringify(mode === 'plan' ? out : { hosts: out, errors }, null, 2)}\n`);
  }
  if (failures.length) process.exitCode = failureExitCode(failures);
}

function applyJson(plan: Plan, applied: ApplyResult) {
  return { host: plan.host, playbook: plan.playbook, distro: plan.distro, steps: applied.steps, summary: summarize(applied), error: applied.error?.message };
}

function reportFailure(ctx: RunContext, { host, error }: HostFailure): void {
  if (error instanceof DockhandError) {
    ctx.logger.error(error.message.startsWith(`${host}:`) ? error.message : `${host}: ${error.message}`);
    if (error.hint) ctx.logger.info(`  hint: ${error.hint}`);
  } else ctx.logger.error(`${host}: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}

/** 4 when every failed host was unreachable; the shared code when all agree (65 bad daemon.json); else 2. */
export function failureExitCode(failures: readonly HostFailure[]): ExitCode {
  if (failures.every((f) => f.error instanceof ConnectError)) return ExitCode.unreachable;
  const codes = new Set(failures.map((f) => exitCodeOf(f.error)));
  const [only] = codes;
  return codes.size === 1 && only !== undefined ? only : ExitCode.hostFailed;
}

export const planCommand: CommandModule<object, ProvisionArgs> = {
  command: 'plan [targets..]',
  describe: 'show exactly what `up` would change on each host (dry run)',
  builder: (y) => withProvisionOptions(y) as unknown as Argv<ProvisionArgs>,
  handler: (argv: ArgumentsCamelCase<ProvisionArgs>) => run(argv, 'plan'),
};

export const upCommand: CommandModule<object, ProvisionArgs> = {
  command: 'up [targets..]',
  describe: 'install and configure Docker on each host',
  builder: (y) => withProvisionOptions(y) as unknown as Argv<ProvisionArgs>,
  handler: (argv: ArgumentsCamelCase<ProvisionArgs>) => run(argv, 'up'),
};
