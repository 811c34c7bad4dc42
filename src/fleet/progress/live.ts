/**
 * Progress on a terminal for several hosts: a block with one line per host (its step and elapsed
 * time), redrawn in place with ANSI cursor movement. A small renderer of our own rather than
 * listr2/log-update: the runner already owns the task model (listr2 would want to own it), and the one
 * thing we need beyond "rewrite N lines" is overflow handling for 200 hosts on a 40-line screen
 * (finished hosts scroll up as permanent lines, waiting hosts collapse into the footer).
 * Every line goes through safeLine before the block's own cursor movement is added.
 */
import { safeLine } from '../../core/output.js';
import { formatDuration, isBad, outcomeSymbol, truncate } from '../format.js';
import type { HostReport, StepStatus, StopReason } from '../types.js';
import { stopMessage, type FleetProgress } from './types.js';

interface LiveHost {
  name: string;
  state: 'waiting' | 'running' | 'done';
  step?: string;
  startedAt?: number;
  report?: HostReport;
  /** Printed into the scrollback as a permanent line; no longer part of the live block. */
  flushed?: boolean;
}

const spinnerFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const ESC = '\u001b[';

export class LiveProgress implements FleetProgress {
  private readonly hosts: LiveHost[];
  private readonly byName = new Map<string, LiveHost>();
  private drawnLines = 0;
  private frame = 0;
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private readonly nameWidth: number;
  private stopNote?: string;
  private readonly restoreCursor = () => this.stream.write(`${ESC}?25h`);

  constructor(
    names: readonly string[],
    private readonly stream: NodeJS.WriteStream,
    private readonly now: () => number,
  ) {
    this.hosts = names.map((name) => ({ name, state: 'waiting' }));
    for (const h of this.hosts) this.byName.set(h.name, h);
    this.nameWidth = Math.min(30, Math.max(4, ...names.map((n) => n.length)));
    this.stream.write(`${ESC}?25l`);
    process.once('exit', this.restoreCursor);
    this.timer = setInterval(() => {
      this.frame = (this.frame + 1) % spinnerFrames.length;
      this.redraw();
    }, 100);
    this.timer.unref();
    this.redraw();
  }

  hostStarted(host: string) {
    const h = this.byName.get(host);
    if (h) Object.assign(h, { state: 'running', step: 'connecting', startedAt: this.now() });
    this.redraw();
  }
  step(host: string, step: string, status: StepStatus) {
    const h = this.byName.get(host);
    if (h && status === 'running') h.step = step;
    this.redraw();
  }
  hostFinished(r: HostReport) {
    const h = this.byName.get(r.host);
    if (h) Object.assign(h, { state: 'done', report: r });
    this.redraw();
  }
  stopping(reason: StopReason, running: number) {
    this.stopNote = stopMessage(reason, running);
    this.redraw();
  }
  log(line: string) {
    this.redraw([line]);
  }
  stop() {
    if (this.closed) return;
    this.redraw();
    this.closed = true;
    clearInterval(this.timer);
    this.restoreCursor();
    process.off('exit', this.restoreCursor);
  }

  /** Erase the block drawn last time, print permanent lines above it, draw the block again. */
  private redraw(permanent: string[] = []): void {
    if (this.closed) return;
    const width = Math.max(20, (this.stream.columns || 100) - 1);
    const maxLines = Math.max(3, (this.stream.rows || 24) - 2);
    const { lines, flushed } = this.layout(maxLines);
    let text = this.drawnLines > 0 ? `${ESC}${this.drawnLines}A\r${ESC}J` : '';
    for (const line of [...permanent, ...flushed]) text += `${truncate(safeLine(line), width)}\n`;
    for (const line of lines) text += `${truncate(safeLine(line), width)}\n`;
    this.drawnLines = lines.length;
    this.stream.write(text);
  }

  /** Which lines stay live; when all hosts do not fit, finished hosts move up into the scrollback. */
  private layout(maxLines: number): { lines: string[]; flushed: string[] } {
    const visible = this.hosts.filter((h) => !h.flushed);
    const counts = { done: 0, running: 0, waiting: 0, bad: 0 };
    for (const h of this.hosts) {
      counts[h.state]++;
      if (h.report && isBad(h.report.outcome)) counts.bad++;
    }
    const footer = [
      `${counts.done}/${this.hosts.length} done`,
      `${counts.running} running`,
      counts.waiting ? `${counts.waiting} waiting` : '',
      counts.bad ? `${counts.bad} failed/unreachable` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const tail = this.stopNote ? [footer, this.stopNote] : [footer];
    if (visible.length + tail.length <= maxLines) return { lines: [...visible.map((h) => this.render(h)), ...tail], flushed: [] };
    const flushed: string[] = [];
    for (const h of visible) {
      if (h.state === 'done') {
        h.flushed = true;
        flushed.push(this.render(h));
      }
    }
    const running = visible.filter((h) => h.state === 'running');
    const room = maxLines - tail.length;
    const shown = running.length <= room ? running : running.slice(0, room - 1);
    const lines = shown.map((h) => this.render(h));
    if (shown.length < running.length) lines.push(`  … ${running.length - shown.length} more running`);
    return { lines: [...lines, ...tail], flushed };
  }

  private render(h: LiveHost): string {
    const name = h.name.padEnd(this.nameWidth);
    if (h.state === 'waiting') return `  ${name}  waiting`;
    if (h.state === 'running') {
      const elapsed = formatDuration(this.now() - (h.startedAt ?? this.now()));
      return `${spinnerFrames[this.frame]} ${name}  ${(h.step ?? '').padEnd(24)} ${elapsed}`;
    }
    const r = h.report!;
    const counts = `${r.steps.changed} changed, ${r.steps.ok} ok${r.steps.failed ? `, ${r.steps.failed} failed` : ''}`;
    return `${outcomeSymbol[r.outcome]} ${name}  ${r.outcome.padEnd(11)} ${counts}  ${formatDuration(r.durationMs)}${r.error ? `  ${r.error}` : ''}`;
  }
}
