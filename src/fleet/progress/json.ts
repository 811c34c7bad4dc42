/** `--json` progress: a `host-start`, `step` or `stopping` event per line on stdout; logs on stderr. */
import { safeText } from '../../core/output.js';
import { jsonEvents, type JsonEvents } from '../json-events.js';
import type { StepStatus, StopReason } from '../types.js';
import type { FleetProgress } from './types.js';

export class JsonProgress implements FleetProgress {
  private readonly emit: JsonEvents;
  constructor(out: NodeJS.WritableStream, now: () => number) {
    this.emit = jsonEvents(out, now);
  }
  hostStarted(host: string) {
    this.emit({ event: 'host-start', host });
  }
  step(host: string, step: string, status: StepStatus, durationMs?: number, detail?: string) {
    this.emit({ event: 'step', host, step, status, durationMs, detail });
  }
  stopping(reason: StopReason, running: number) {
    this.emit({ event: 'stopping', reason, running });
  }
  batch(index: number, total: number, hosts: readonly string[]) {
    this.emit({ event: 'batch', batch: index + 1, of: total, hosts });
  }
  log(line: string) {
    // Logs never go to stdout in --json mode.
    process.stderr.write(safeText(line) + '\n');
  }
  stop() {}
}
