/**
 * What a fleet run writes, chosen once from the output format: the progress display (what is
 * happening, src/fleet/progress/) and the exporter (the result, src/fleet/export/), and the one
 * observer the runner reports to, which hands every event to the progress and each host's result to
 * the exporter too.
 */
import { createExporter, type OutputFormat, type ResultExporter } from './export/index.js';
import { createProgress, type FleetProgress } from './progress/index.js';
import type { FleetObserver } from './types.js';

export interface FleetOutput {
  progress: FleetProgress;
  exporter: ResultExporter;
  observer: FleetObserver;
}

export async function createOutput(opts: {
  hosts: readonly string[];
  format: OutputFormat;
  /** Replace the chosen progress or exporter (tests). */
  progress?: FleetProgress;
  exporter?: ResultExporter;
}): Promise<FleetOutput> {
  const progress = opts.progress ?? (await createProgress({ hosts: opts.hosts, json: opts.format === 'json' }));
  const exporter = opts.exporter ?? createExporter(opts.format);
  const observer: FleetObserver = {
    hostStarted: (host) => progress.hostStarted?.(host),
    step: (host, step, status, durationMs, detail) => progress.step?.(host, step, status, durationMs, detail),
    hostFinished: (report) => {
      progress.hostFinished?.(report);
      exporter.hostFinished?.(report);
    },
    stopping: (reason, running) => progress.stopping?.(reason, running),
    // Renderers without their own batch display show it as a log line.
    batch: (index, total, hosts) =>
      progress.batch ? progress.batch(index, total, hosts) : progress.log(`batch ${index + 1}/${total}: ${hosts.join(', ')}`),
  };
  return { progress, exporter, observer };
}
