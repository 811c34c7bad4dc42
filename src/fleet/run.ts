/**
 * Run one task per host across a fleet: bounded concurrency, paced connection starts, and one answer
 * per host. A host that fails or cannot be reached never stops the others, unless the user asked for
 * that (--fail-fast, --max-fail-percent). When the run is stopped (those, or Ctrl-C via `signal`),
 * no new host starts, running hosts start no new step, and every host still gets a report.
 *
 * Exit code (ExitCode in src/core/errors.ts):
 *   0  every host ok, changed or skipped
 *   4  some host unreachable — wins over 2: those hosts were not even examined, so connectivity is
 *      the first thing to fix, and a script can tell "fix the network/keys" from "fix the hosts"
 *   2  otherwise, some host failed or was cancelled (it did not reach the wanted state) — except when
 *      every failed host failed for the same more specific reason (e.g. 65: a bad daemon.json), which
 *      is then the exit code, as it would be for a single host
 */
import { ConnectError, DockhandError, ExitCode, exitCodeOf } from '../core/errors.js';
import { StartGate } from './start-gate.js';
import type { FleetObserver, FleetReport, HostReport, HostResult, StepCounts, StepStatus, StopReason } from './types.js';

export interface TaskContext {
  /** Aborted when the run stops; long operations should pass it on. */
  signal: AbortSignal;
  /**
   * Report a step: `running` when it starts, then how it ended. Starting a step after the run was
   * stopped throws a FleetCancelled, so a stopped run never begins new work on a host.
   */
  report(step: string, status: StepStatus, detail?: string): void;
  /**
   * Open a connection through the fleet's start pacing (see StartGate), counted against each of the
   * `servers` it reaches (`host:port` of each jump host and the destination, as the SSH transport
   * resolves them; none: not paced).
   */
  connect<T>(open: () => Promise<T>, servers: readonly string[]): Promise<T>;
  /** The host's OS as soon as it is known, so the summary shows it even if the task fails later. */
  detectedOs(label: string): void;
}

export type FleetTask<H> = (host: H, ctx: TaskContext) => Promise<HostResult>;

export interface FleetOptions {
  /** Hosts worked on at once (default 10). */
  concurrency?: number;
  /** Connection starts per second at one server (default 10). */
  connectStartsPerSecond?: number;
  /** Connection handshakes in flight at once at one server (default 8, under sshd's MaxStartups 10). */
  maxConnectStarts?: number;
  /** Stop starting hosts after the first failed or unreachable one. */
  failFast?: boolean;
  /** Stop starting hosts once more than this percentage of all hosts failed or were unreachable. */
  maxFailPercent?: number;
  /** Ctrl-C: abort to stop the run. */
  signal?: AbortSignal;
  observer?: FleetObserver;
  now?: () => number;
}

export const fleetDefaults = { concurrency: 10, connectStartsPerSecond: 10, maxConnectStarts: 8 } as const;

/** Thrown into a task that tries to start a step after the run was stopped. */
export class FleetCancelled extends Error {
  constructor(readonly reason: StopReason) {
    super(reason === 'interrupted' ? 'interrupted' : `stopped (${reason})`);
    this.name = 'FleetCancelled';
  }
}

export async function runFleet<H extends { name: string }>(
  hosts: readonly H[],
  task: FleetTask<H>,
  opts: FleetOptions = {},
): Promise<FleetReport> {
  const now = opts.now ?? Date.now;
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? fleetDefaults.concurrency));
  const gate = new StartGate({
    perSecond: opts.connectStartsPerSecond ?? fleetDefaults.connectStartsPerSecond,
    maxInFlight: opts.maxConnectStarts ?? fleetDefaults.maxConnectStarts,
    now,
  });
  const observer = opts.observer ?? {};
  const started = now();
  const reports: Array<HostReport | undefined> = new Array(hosts.length);
  const stop = new AbortController();
  let stopped: StopReason | undefined;
  let running = 0;
  let failures = 0;

  const stopRun = (reason: StopReason) => {
    if (stopped) return;
    stopped = reason;
    stop.abort(new FleetCancelled(reason));
    observer.stopping?.(reason, running);
  };
  const onExternalAbort = () => stopRun('interrupted');
  if (opts.signal?.aborted) onExternalAbort();
  opts.signal?.addEventListener('abort', onExternalAbort, { once: true });

  const runHost = async (host: H): Promise<HostReport> => {
    const hostStart = now();
    const steps: StepCounts = { ok: 0, changed: 0, failed: 0, skipped: 0 };
    const stepStarts = new Map<string, number>();
    let os: string | undefined;
    observer.hostStarted?.(host.name);
    const ctx: TaskContext = {
      signal: stop.signal,
      report(step, status, detail) {
        if (status === 'running') {
          if (stopped) throw new FleetCancelled(stopped);
          stepStarts.set(step, now());
          observer.step?.(host.name, step, status, undefined, detail);
          return;
        }
        steps[status]++;
        const begun = stepStarts.get(step);
        stepStarts.delete(step);
        observer.step?.(host.name, step, status, begun === undefined ? undefined : now() - begun, detail);
      },
      connect: (open, servers) => gate.run(open, stop.signal, servers),
      detectedOs: (label) => void (os = label),
    };
    let result: Omit<HostReport, 'host' | 'steps' | 'durationMs'>;
    try {
      const r = await task(host, ctx);
      // A task that reports changed steps but answers "ok" still changed the host.
      result = { ...r, outcome: r.outcome === 'ok' && steps.changed > 0 ? 'changed' : r.outcome };
    } catch (err) {
      result = outcomeOfError(err, stop.signal);
    }
    return { host: host.name, steps, durationMs: now() - hostStart, ...(os === undefined ? {} : { os }), ...result };
  };

  let next = 0;
  const worker = async () => {
    while (!stopped && next < hosts.length) {
      const index = next++;
      running++;
      const report = await runHost(hosts[index]!);
      running--;
      reports[index] = report;
      observer.hostFinished?.(report);
      if (report.outcome === 'failed' || report.outcome === 'unreachable') {
        failures++;
        if (opts.failFast) stopRun('fail-fast');
        else if (opts.maxFailPercent !== undefined && (failures / hosts.length) * 100 > opts.maxFailPercent) stopRun('max-fail-percent');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, hosts.length) }, worker));
  opts.signal?.removeEventListener('abort', onExternalAbort);

  const ordered = hosts.map((h, i) => {
    const report = reports[i];
    if (report) return report;
    const cancelled: HostReport = {
      host: h.name,
      outcome: 'cancelled',
      error: `not started (${stopped ?? 'stopped'})`,
      steps: { ok: 0, changed: 0, failed: 0, skipped: 0 },
      durationMs: 0,
    };
    observer.hostFinished?.(cancelled);
    return cancelled;
  });
  return { hosts: ordered, exitCode: fleetExitCode(ordered), stopped, durationMs: now() - started };
}

function outcomeOfError(err: unknown, stopSignal: AbortSignal): Pick<HostReport, 'outcome' | 'error' | 'errorCode'> {
  if (err instanceof ConnectError) return { outcome: 'unreachable', error: firstLine(err.message), errorCode: err.exitCode };
  if (err instanceof FleetCancelled || (stopSignal.aborted && isAbortError(err))) {
    return { outcome: 'cancelled', error: firstLine((stopSignal.reason as Error | undefined)?.message ?? 'stopped') };
  }
  if (err instanceof DockhandError || err instanceof Error) return { outcome: 'failed', error: firstLine(err.message), errorCode: exitCodeOf(err) };
  return { outcome: 'failed', error: String(err), errorCode: ExitCode.internal };
}

function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err instanceof FleetCancelled);
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

export function fleetExitCode(reports: readonly Pick<HostReport, 'outcome' | 'errorCode'>[]): ExitCode {
  if (reports.some((r) => r.outcome === 'unreachable')) return ExitCode.unreachable;
  const bad = reports.filter((r) => r.outcome === 'failed' || r.outcome === 'cancelled');
  if (bad.length === 0) return ExitCode.ok;
  const codes = new Set(bad.map((r) => r.errorCode ?? ExitCode.hostFailed));
  const [only] = codes;
  return codes.size === 1 && only !== undefined && only !== ExitCode.internal ? only : ExitCode.hostFailed;
}
