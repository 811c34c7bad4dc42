/**
 * The `--json` result: a `host` event per host when it finishes, with the command's own result in
 * `data` (facts, the plan, the applied steps), and one `summary` event last (the hosts without `data`).
 */
import { jsonEvents, type JsonEvents } from '../json-events.js';
import type { FleetReport, HostReport } from '../types.js';
import type { ResultExporter } from './types.js';

export class JsonExporter implements ResultExporter {
  private readonly emit: JsonEvents;
  constructor(out: NodeJS.WritableStream, now: () => number) {
    this.emit = jsonEvents(out, now);
  }
  hostFinished(r: HostReport) {
    this.emit({ event: 'host', host: r.host, outcome: r.outcome, os: r.os, error: r.error, steps: r.steps, durationMs: r.durationMs, data: r.data });
  }
  finish(report: FleetReport) {
    // The details are already in the host events' data.
    this.emit({
      event: 'summary',
      exitCode: report.exitCode,
      stopped: report.stopped,
      durationMs: report.durationMs,
      hosts: report.hosts.map(({ data: _data, ...h }) => h),
    });
  }
}
