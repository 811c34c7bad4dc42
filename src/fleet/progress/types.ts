/**
 * What every progress renderer is: it shows a run while it happens (steps, hosts, stopping) and never
 * writes the run's result — that is the exporter's (src/fleet/export/). Text goes through the output
 * layer (src/core/output.ts) in each renderer.
 */
import { formatDuration } from '../format.js';
import type { FleetObserver, HostReport, StopReason } from '../types.js';

export interface FleetProgress extends FleetObserver {
  /** Print a log line without tearing the live display. */
  log(line: string): void;
  /** Stop showing progress (the live block's last frame, the cursor back), before the result is written. */
  stop(): void;
}

export interface ProgressOptions {
  hosts: readonly string[];
  /** Progress as JSON events on `out` (the --json output), logs on stderr. */
  json?: boolean;
  /** Where human progress goes (default process.stderr). */
  stream?: NodeJS.WriteStream;
  /** Where JSON progress events go (default process.stdout). */
  out?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

export const stopMessage = (reason: StopReason, running: number) =>
  `stopping (${reason}): no new hosts or steps; waiting for ${running} running host${running === 1 ? '' : 's'}` +
  (reason === 'interrupted' ? ' (Ctrl-C again to quit now)' : '');

export function hostLine(r: HostReport): string {
  const detail = r.error ? `: ${r.error}` : '';
  return `${r.host} ${r.outcome}${detail} (${formatDuration(r.durationMs)})`;
}
