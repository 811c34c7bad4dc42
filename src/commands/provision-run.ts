/**
 * The work behind `dockhand plan` and `dockhand up` (options in provision.ts): gather facts, build the
 * plan (the same pure buildPlan for both), then print it (plan) or apply it (up).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { ApplyResult, StepReport } from '../apply/apply.js';
import { buildContext, type GlobalArgs } from './context.js';
import { ExitCode, PreconditionError, UsageError } from '../core/errors.js';
import type { BundleManifest } from '../bundle/manifest.js';
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
import { dataRootTargetScript, parseDataRootTarget, type DataRootTargetFacts } from '../facts/data-root-target.js';
import { logFailure, runFleetCommand, type HostTask } from '../fleet/command.js';
import { dockerCli, renderContextPlan, syncDockerContexts } from '../contexts/docker-contexts.js';
import type { FleetReport } from '../fleet/types.js';
import type { HostEntry } from '../inventory/types.js';
import { osLabel, planOptionsFor, type HostPlanOptions } from '../plan/host-options.js';
import type { Plan } from '../plan/model.js';
import type { Playbook } from '../playbook/schema.js';
import { SafeStyled, stdoutPaint } from '../core/output-colour.js';
import { safeText } from '../core/output.js';
import { shJoin } from '../shell/quote.js';
import { parseSerial } from '../fleet/rollout.js';
import type { GateResult } from '../rollout/gate.js';
import type { ContainerList } from '../rollout/containers.js';
import { renderBatches, renderVersions } from '../rollout/render.js';
import type { Transport } from '../transport/types.js';

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
  'move-data-root'?: boolean;
  proxy?: string | false;
  'no-proxy'?: string;
  'image-store'?: 'overlay2' | 'containerd';
  rootless?: boolean;
  contexts?: boolean;
  serial?: string;
  'gate-timeout'?: number;
  /** Install from this air-gap bundle (`dockhand bundle`), with no network on the host. */
  bundle?: string;
  /** plan --down (down-run.ts) and its flags. */
  down?: boolean;
  'remove-group-members'?: boolean;
  'purge-data'?: boolean;
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
    rootless: argv.rootless,
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
    ...(argv['move-data-root'] ? { moveDataRoot: true } : {}),
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
  summary: ReturnType<Later['summarize']>;
  error?: string;
  /** With --serial: the health gate after the host was done. */
  gate?: GateResult;
}

export async function run(argv: ProvisionArgs, mode: 'plan' | 'up'): Promise<ExitCode> {
  // A bundle is checked whole (checksums, manifest) before any host is resolved or connected.
  const bundle = argv.bundle === undefined ? undefined : await (await import('../bundle/open.js')).openBundle(argv.bundle);
  if (bundle) bundleFlags(argv, bundle.manifest, (await later()).versionSatisfies);
  const checkedFlags = flagOptions(argv);
  const serial = argv.serial === undefined ? undefined : parseSerial(argv.serial);
  const gateTimeout = argv['gate-timeout'];
  if (gateTimeout !== undefined && !(Number.isFinite(gateTimeout) && gateTimeout > 0)) throw new UsageError(`--gate-timeout must be a number of seconds above 0, not ${gateTimeout}`);
  const ctx = await buildContext({ ...argv, host: [...(argv.host ?? []), ...(argv.targets ?? [])] });
  // With -K, a sudo that asks for a password is usable: the plan's root check needs to know.
  const flags: HostPlanOptions = { ...checkedFlags, becomePassword: ctx.connect.becomePassword !== undefined };
  const playbooks = loadPlaybooksWhileConnecting();
  playbooks.catch(() => {}); // rejection handled where it is awaited
  // The plan's code (provision-later.ts), imported once a host is connected, while its probe runs:
  // imported before, it competed with connecting. `L` once loaded: a host gets to its plan only
  // after awaiting it, so whatever renders plans or results has it.
  let L: Later | undefined;
  const plans = new Map<string, Plan>();
  const applied = new Map<string, ApplyResult>();
  let contextsOk = true;
  const gates = new Map<string, GateResult>();
  // The doctor's declarations, for the health gate: loaded once, only for a rolling `up`.
  const decls = serial && mode === 'up' ? import('../doctor/declarations.js').then(async (m) => m.loadDeclarations((await import('../core/paths.js')).checksDir)) : undefined;
  decls?.catch(() => {});

  const task: HostTask = async (transport, host, { report, detectedOs, logger, signal }) => {
    maskUrlCredentials(host.vars.daemon); // the inventory's daemon: map, as the flags were
    const options = { ...planOptionsFor(host.vars, flags), loginUser: transport.loginUser };
    const laterCode = later(); // the module system loads it once, for every host
    laterCode.catch(() => {}); // awaited after the facts
    report('facts', 'running');
    // Users named for the docker group are looked up by the same probe, so the plan can refuse a missing one.
    // --rootless without --users sets up the login user: the rootless facts need that account too.
    const accounts = options.users ?? (options.rootless && transport.loginUser ? [transport.loginUser] : undefined);
    let facts = await gatherFacts(transport, { accounts });
    L = await laterCode;
    const { applyPlan, listContainers, mayRestartDaemon, moveFactsWanted, planForHost, reportPlanned, summarize, withRestartNote } = L;
    // --move-data-root: the old root's size and the target's state, read as root (only when a move may be planned).
    const moving = moveFactsWanted(facts, options.daemon);
    if (moving) facts = { ...facts, dataRootTarget: await measureDataRootTarget(transport, moving.from, moving.to, moving.containerdRoot) };
    const os = osLabel(facts, options);
    report('facts', 'ok', os);
    detectedOs(os);
    const loaded = await playbooks;
    if (bundle) {
      const { fitProblem } = await import('../bundle/manifest.js');
      const problem = fitProblem(bundle.manifest, { id: facts.os.id, versionId: facts.os.versionId, arch: facts.arch.package });
      if (problem) throw new PreconditionError(host.name, `bundle ${bundle.path} refused: ${problem}`, 'make one for this host with `dockhand bundle --os ID --os-version V --arch A`');
    }
    let plan = planForHost(facts, loaded, options);
    if (bundle) plan = (await import('../bundle/install.js')).withBundle(plan, bundle.manifest, bundle.sha256);
    const restart = { facts, dockerVersion: options.dockerVersion, engine: loaded.find((p) => p.id === plan.playbook)?.sources[plan.source]?.packages.engine };
    // The running containers: what the plan says will restart, and what a rolling run's gate waits for.
    const gated = serial !== undefined && mode === 'up';
    const containers = facts.dockerd && (gated || mayRestartDaemon(plan, restart)) ? await runningContainers(transport, listContainers) : undefined;
    plan = withRestartNote(plan, { ...restart, containers });
    plans.set(host.name, plan);
    if (mode === 'plan') {
      reportPlanned(plan, report);
      return { outcome: 'ok', os, data: plan };
    }
    if (bundle && plan.steps.some((s) => s.id === 'packages' && s.commands.length)) await uploadBundle(transport, bundle.path, report);
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
    if (!result.error && gated) {
      const { healthGate } = await import('../rollout/gate.js');
      report('health-gate', 'running', 'API, containers with a restart policy, doctor daemon checks');
      const gate = await healthGate(transport, containers?.containers ?? [], {
        decls: decls!,
        engine: restart.engine,
        timeoutMs: gateTimeout === undefined ? undefined : gateTimeout * 1000,
        signal,
        progress: (text) => report('health-gate', 'running', text),
      });
      gates.set(host.name, gate);
      data.gate = gate;
      if (!gate.ok) {
        report('health-gate', 'failed', gate.problems[0]);
        logger.error(`${host.name}: health gate failed: ${gate.problems.join('; ')}`);
        return { outcome: 'failed', os, error: `health gate: ${gate.problems[0] ?? 'failed'}`, data };
      }
      report('health-gate', 'ok', `engine ${gate.version}${gate.packageVersion ? ` (${restart.engine} ${gate.packageVersion})` : ''}`);
    }
    if (!result.error) return { outcome: 'ok', os, data };
    logFailure(logger, host.name, result.error);
    return { outcome: 'failed', os, error: result.error.message.split('\n', 1)[0], data };
  };

  const inOrder = <T>(report: FleetReport, results: Map<string, T>) =>
    report.hosts.flatMap((h) => (results.has(h.host) ? [results.get(h.host)!] : []));
  const report = await runFleetCommand(ctx, task, {
    details: (r) =>
      mode === 'plan'
        ? new SafeStyled(
            (serial ? safeText(renderBatches(ctx.hosts, serial)) : '') +
              inOrder(r, plans).map((p) => L!.renderPlan(p, { showCommands: argv['show-commands'] || argv.verbose, paint: stdoutPaint() })).join(''),
          )
        : inOrder(r, applied).map((a) => `${L!.renderSummary(a)}\n`).join('') + (serial ? renderVersions(r, gates) : ''),
    serial,
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

/** `up --bundle`: the bundle decides the source and the version; flags that contradict it are refused. */
function bundleFlags(argv: ProvisionArgs, manifest: BundleManifest, versionSatisfies: (version: string, wanted: string) => boolean): void {
  if (argv.source === 'distro') throw new UsageError('--bundle installs Docker\'s packages: it does not go with --source distro');
  for (const flag of ['mirror', 'channel', 'key-fingerprint'] as const) {
    if (argv[flag] !== undefined) throw new UsageError(`--${flag} does not go with --bundle (the bundle holds the packages)`);
  }
  const wanted = argv['docker-version'];
  if (wanted !== undefined && (!manifest.dockerVersion || !versionSatisfies(manifest.dockerVersion, wanted))) {
    throw new UsageError(`--docker-version ${wanted}: the bundle holds ${manifest.dockerVersion ?? 'an unpinned version'}`);
  }
  argv.source = 'docker';
  argv['docker-version'] = manifest.dockerVersion;
}

/** The bundle to the host, as root, before the plan installs from it (the plan's script checks its sha256). */
async function uploadBundle(transport: Transport, path: string, report: StepReport): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const { REMOTE_BUNDLE } = await import('../bundle/install.js');
  const bytes = readFileSync(path);
  report('bundle-upload', 'running', `${(bytes.length / 1024 / 1024).toFixed(1)} MiB to ${REMOTE_BUNDLE}`);
  await transport.writeFile(REMOTE_BUNDLE, bytes, { sudo: true, mode: 0o600 });
  report('bundle-upload', 'changed', `${(bytes.length / 1024 / 1024).toFixed(1)} MiB uploaded`);
}

/** The move's facts (src/facts/data-root-target.ts), as root: du of the old root can take a while on a big one. */
async function measureDataRootTarget(transport: Transport, from: string, to: string, containerdRoot?: string): Promise<DataRootTargetFacts> {
  const r = await transport.exec(dataRootTargetScript(from, to, containerdRoot), { sudo: true, timeoutMs: 1_800_000 });
  if (r.code !== 0) throw new PreconditionError(transport.name, `could not measure ${from} and ${to} for --move-data-root (exit ${r.code})`, 'run with sudo rights (passwordless sudo or --ask-become-pass)');
  return parseDataRootTarget(r.stdout);
}

/** The running containers as root; a host where that fails (no sudo yet, no daemon) has none listed. */
async function runningContainers(transport: Transport, listContainers: Later['listContainers']): Promise<ContainerList | undefined> {
  try {
    return await listContainers(transport);
  } catch {
    return undefined;
  }
}

type Later = typeof import('./provision-later.js');
const later = (): Promise<Later> => import('./provision-later.js');

/**
 * The playbooks (compiled at build time, else yaml + zod and a dozen files: tens of ms of CPU),
 * loaded while the connections open rather than before: the fleet runner starts connecting in this
 * turn of the event loop, the loader and its dependencies are imported only then, and each file is
 * parsed in a turn of its own so the handshakes' network events are answered in between. A host's plan waits for them after its facts.
 */
export async function loadPlaybooksWhileConnecting(): Promise<Playbook[]> {
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

