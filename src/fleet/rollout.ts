/**
 * Rolling runs (`--serial N|P%`): the fleet in batches, one batch after the other through the same
 * runner (run.ts), so pacing, progress and per-host answers stay what they are for one run. A batch
 * starts only when every host of the one before ended ok or changed; the task's own health gate
 * (src/rollout/gate.ts for `up`) turns an unhealthy host into a failed one, and that stops the rollout.
 * Hosts of batches never started are reported `cancelled` ("not started"), untouched.
 * Ctrl-C during a batch stops it as the runner does (no new step); between batches, no batch starts.
 */
import { UsageError } from '../core/errors.js';
import { fleetExitCode, runFleet, type FleetOptions, type FleetTask } from './run.js';
import type { FleetReport, HostReport, StopReason } from './types.js';

export type Serial = { count: number } | { percent: number };

/** `3` or `25%`: checked before any host is resolved or connected. */
export function parseSerial(text: string): Serial {
  const m = /^\s*(\d+)\s*(%?)\s*$/.exec(text);
  const n = m ? Number(m[1]) : Number.NaN;
  if (!m || !Number.isSafeInteger(n) || n < 1 || (m[2] && n > 100)) {
    throw new UsageError(`--serial: '${text}' is not a batch size (a whole number of hosts ≥ 1, or a percentage 1%–100%)`);
  }
  return m[2] ? { percent: n } : { count: n };
}

/** The batches, in the hosts' order: `count` hosts each, or ⌈percent × hosts⌉ (at least one). */
export function batchesOf<H>(hosts: readonly H[], serial: Serial): H[][] {
  const size = 'count' in serial ? serial.count : Math.max(1, Math.ceil((serial.percent / 100) * hosts.length));
  const batches: H[][] = [];
  for (let i = 0; i < hosts.length; i += size) batches.push(hosts.slice(i, i + size));
  return batches;
}

export interface RolloutObserver {
  /** A batch starts (index from 0). */
  batchStarted?(index: number, total: number, hosts: readonly string[]): void;
}

export interface RolloutReport extends FleetReport {
  /** The batches' host names, in order. */
  batches: string[][];
  /** How many batches ran (fully or in part). */
  batchesRun: number;
}

/** Why a later batch did not start, for the hosts left untouched. */
function notStarted(reason: StopReason, afterBatch: number): string {
  if (reason === 'interrupted') return `not started (interrupted after batch ${afterBatch})`;
  return `not started (rollout stopped after batch ${afterBatch}: ${reason})`;
}

export async function runRollout<H extends { name: string }>(
  hosts: readonly H[],
  task: FleetTask<H>,
  serial: Serial,
  opts: FleetOptions & RolloutObserver = {},
): Promise<RolloutReport> {
  const now = opts.now ?? Date.now;
  const started = now();
  const batches = batchesOf(hosts, serial);
  const reports = new Map<string, HostReport>();
  let stopped: StopReason | undefined;
  let batchesRun = 0;
  for (const [index, batch] of batches.entries()) {
    if (opts.signal?.aborted) stopped = 'interrupted';
    if (stopped) break;
    opts.batchStarted?.(index, batches.length, batch.map((h) => h.name));
    batchesRun++;
    const report = await runFleet(batch, task, opts);
    for (const r of report.hosts) reports.set(r.host, r);
    const unhealthy = report.hosts.some((r) => r.outcome !== 'ok' && r.outcome !== 'changed' && r.outcome !== 'skipped');
    const last = index === batches.length - 1;
    if (report.stopped) stopped = report.stopped;
    else if (unhealthy && !last) stopped = 'gate-failed';
    if (stopped && !last) opts.observer?.stopping?.(stopped, 0);
  }
  const ordered = hosts.map((h) => {
    const done = reports.get(h.name);
    if (done) return done;
    const cancelled: HostReport = {
      host: h.name,
      outcome: 'cancelled',
      error: notStarted(stopped ?? 'interrupted', batchesRun),
      steps: { ok: 0, changed: 0, failed: 0, skipped: 0 },
      durationMs: 0,
    };
    opts.observer?.hostFinished?.(cancelled);
    return cancelled;
  });
  return {
    hosts: ordered,
    exitCode: fleetExitCode(ordered),
    stopped,
    durationMs: now() - started,
    batches: batches.map((b) => b.map((h) => h.name)),
    batchesRun,
  };
}
