/**
 * Live progress of a fleet run, one renderer per file, chosen by where it goes:
 * - `--json` (json.ts): progress events on stdout among the result events, nothing else there.
 * - stderr not a TTY, or CI set (plain.ts): timestamped lines, which read well in logs.
 * - a TTY and one host (spinner.ts): an ora spinner with the current step.
 * - a TTY and several hosts (live.ts): a block with one line per host, redrawn in place.
 * Human progress goes to stderr. The run's result (per-host details, the summary) is not progress:
 * the exporter writes it (src/fleet/export/).
 */
import { JsonProgress } from './json.js';
import { LiveProgress } from './live.js';
import { PlainProgress } from './plain.js';
import { SpinnerProgress } from './spinner.js';
import type { FleetProgress, ProgressOptions } from './types.js';

export type { FleetProgress, ProgressOptions } from './types.js';

export type ProgressMode = 'json' | 'plain' | 'spinner' | 'live';

export function progressMode(opts: Pick<ProgressOptions, 'json' | 'stream' | 'env' | 'hosts'>): ProgressMode {
  const env = opts.env ?? process.env;
  const stream = opts.stream ?? process.stderr;
  if (opts.json) return 'json';
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  // A terminal that reports 0 columns (a pty nobody sized, e.g. `script`) cannot be redrawn in place:
  // ora's line counting divides by the width and never finishes.
  if (!stream.isTTY || ci || env.TERM === 'dumb' || stream.columns === 0) return 'plain';
  return opts.hosts.length === 1 ? 'spinner' : 'live';
}

export async function createProgress(opts: ProgressOptions): Promise<FleetProgress> {
  const mode = progressMode(opts);
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  switch (mode) {
    case 'json':
      return new JsonProgress(opts.out ?? process.stdout, now);
    case 'plain':
      return new PlainProgress(stream, now);
    case 'spinner':
      // ora (~40 ms to load) only when a spinner is shown: not for --json, logs or several hosts.
      return new SpinnerProgress(stream, (await import('ora')).default);
    case 'live':
      return new LiveProgress(opts.hosts, stream, now);
  }
}
