/**
 * Progress for logs (stderr not a TTY, or CI): plain timestamped lines
 * (`12:00:01 web-1 packages … changed (4.2s)`), never any cursor movement.
 */
import { safeText } from '../../core/output.js';
import { clockTime, formatDuration } from '../format.js';
import type { HostReport, StepStatus, StopReason } from '../types.js';
import { hostLine, stopMessage, type FleetProgress } from './types.js';

export class PlainProgress implements FleetProgress {
  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly now: () => number,
  ) {}
  log(line: string) {
    this.stream.write(`${clockTime(this.now())} ${safeText(line)}\n`);
  }
  /** host + step of the steps that are running: a second `running` report is a progress update. */
  private readonly running = new Set<string>();
  step(host: string, step: string, status: StepStatus, durationMs?: number, detail?: string) {
    const key = `${host}\u0000${step}`;
    if (status === 'running') {
      // One line per step, when it ends; while it runs, only what it says about a long wait.
      if (this.running.has(key) && detail) this.log(`${host} ${step} … ${detail}`);
      this.running.add(key);
      return;
    }
    this.running.delete(key);
    const time = durationMs === undefined ? '' : ` (${formatDuration(durationMs)})`;
    this.log(`${host} ${step} … ${status}${time}${detail ? `: ${detail}` : ''}`);
  }
  hostFinished(r: HostReport) {
    this.log(`${r.host} done: ${hostLine(r).slice(r.host.length + 1)}`);
  }
  stopping(reason: StopReason, running: number) {
    this.log(stopMessage(reason, running));
  }
  stop() {}
}
