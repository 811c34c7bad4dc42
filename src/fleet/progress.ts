/**
 * Live progress of a fleet run, chosen by where it goes:
 * - `--json`: one JSON event per line on stdout (step, host, summary), nothing else on stdout.
 * - stderr not a TTY, or CI set: plain timestamped lines (`12:00:01 web-1 packages … changed (4.2s)`),
 *   which read well in logs and never contain cursor movement.
 * - a TTY and one host: an ora spinner with the current step; finished steps stay on screen.
 * - a TTY and several hosts: a block with one line per host (its step and elapsed time), redrawn in
 *   place with ANSI cursor movement. A small renderer of our own rather than listr2/log-update: the
 *   runner already owns the task model (listr2 would want to own it), and the one thing we need beyond
 *   "rewrite N lines" is overflow handling for 200 hosts on a 40-line screen (finished hosts scroll up
 *   as permanent lines, waiting hosts collapse into the footer), which we do here in a few lines.
 * Human progress goes to stderr; the summary table goes to stdout.
 * Every write goes through the output layer (src/core/output.ts): JSON through jsonText, text through
 * safeText (per line in the live block, whose own cursor movement is added afterwards).
 */
import type ora from 'ora';
import type { Ora } from 'ora';
import { jsonText, safeLine, safeText } from '../core/output.js';
import { clockTime, formatDuration, isBad, outcomeSymbol, truncate } from './format.js';
import { renderSummary } from './summary.js';
import type { FleetObserver, FleetReport, HostReport, StepStatus, StopReason } from './types.js';

export interface FleetProgress extends FleetObserver {
  /** Print a log line without tearing the live display. */
  log(line: string): void;
  /**
   * Stop redrawing and print the summary (table, or a JSON event). `details` (the command's per-host
   * output, e.g. the plans) goes to stdout just before the table; in JSON mode it is in the host events.
   */
  finish(report: FleetReport, details?: string): void;
}

export interface ProgressOptions {
  hosts: readonly string[];
  json?: boolean;
  /** Where progress goes (default process.stderr). */
  stream?: NodeJS.WriteStream;
  /** Where the summary and JSON events go (default process.stdout). */
  out?: NodeJS.WritableStream & { columns?: number };
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

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
  const out = opts.out ?? process.stdout;
  const now = opts.now ?? Date.now;
  switch (mode) {
    case 'json':
      return new JsonProgress(out, now);
    case 'plain':
      return new PlainProgress(stream, out, now);
    case 'spinner':
      // ora (~40 ms to load) only when a spinner is shown: not for --json, logs or several hosts.
      return new SpinnerProgress(stream, out, (await import('ora')).default);
    case 'live':
      return new LiveProgress(opts.hosts, stream, out, now);
  }
}

const stopMessage = (reason: StopReason, running: number) =>
  `stopping (${reason}): no new hosts or steps; waiting for ${running} running host${running === 1 ? '' : 's'}` +
  (reason === 'interrupted' ? ' (Ctrl-C again to quit now)' : '');

function hostLine(r: HostReport): string {
  const detail = r.error ? `: ${r.error}` : '';
  return `${r.host} ${r.outcome}${detail} (${formatDuration(r.durationMs)})`;
}

function writeSummary(out: ProgressOptions['out'] & object, report: FleetReport, details?: string): void {
  if (details) out.write(safeText(details.endsWith('\n') ? details : `${details}\n`));
  out.write(safeText(renderSummary(report, out.columns ?? 100)));
}

export class JsonProgress implements FleetProgress {
  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly now: () => number,
  ) {}
  private emit(event: Record<string, unknown>): void {
    this.out.write(jsonText({ ...event, time: new Date(this.now()).toISOString() }) + '\n');
  }
  hostStarted(host: string) {
    this.emit({ event: 'host-start', host });
  }
  step(host: string, step: string, status: StepStatus, durationMs?: number, detail?: string) {
    this.emit({ event: 'step', host, step, status, durationMs, detail });
  }
  hostFinished(r: HostReport) {
    // `data`: the command's own per-host result (facts, the plan, the applied steps).
    this.emit({ event: 'host', host: r.host, outcome: r.outcome, os: r.os, error: r.error, steps: r.steps, durationMs: r.durationMs, data: r.data });
  }
  stopping(reason: StopReason, running: number) {
    this.emit({ event: 'stopping', reason, running });
  }
  log(line: string) {
    // Logs never go to stdout in --json mode.
    process.stderr.write(safeText(line) + '\n');
  }
  finish(report: FleetReport) {
    this.emit({
      event: 'summary',
      exitCode: report.exitCode,
      stopped: report.stopped,
      durationMs: report.durationMs,
      hosts: report.hosts.map(({ data: _data, ...h }) => h),
    });
  }
}

export class PlainProgress implements FleetProgress {
  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly out: NodeJS.WritableStream & { columns?: number },
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
  finish(report: FleetReport, details?: string) {
    writeSummary(this.out, report, details);
  }
}

export class SpinnerProgress implements FleetProgress {
  private readonly spinner: Ora;
  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly out: NodeJS.WritableStream & { columns?: number },
    makeSpinner: typeof ora,
  ) {
    this.spinner = makeSpinner({ stream, discardStdin: false });
  }
  hostStarted(host: string) {
    this.spinner.start(safeLine(`${host}: connecting`));
  }
  step(host: string, step: string, status: StepStatus, durationMs?: number, detail?: string) {
    if (status === 'running') {
      // The detail: the step's title, then any progress line its commands print (a long wait).
      this.spinner.start(safeLine(`${host}: ${step}${detail ? ` — ${detail}` : ''}`));
      return;
    }
    const time = durationMs === undefined ? '' : ` (${formatDuration(durationMs)})`;
    this.spinner.stopAndPersist({ symbol: outcomeSymbol[status], text: safeText(`${host} ${step} … ${status}${time}${detail ? `: ${detail}` : ''}`) });
  }
  hostFinished(r: HostReport) {
    this.spinner.stopAndPersist({ symbol: outcomeSymbol[r.outcome], text: safeText(hostLine(r)) });
  }
  stopping(reason: StopReason, running: number) {
    this.log(stopMessage(reason, running));
  }
  log(line: string) {
    const wasSpinning = this.spinner.isSpinning;
    const text = this.spinner.text;
    this.spinner.stop();
    this.stream.write(safeText(line) + '\n');
    if (wasSpinning) this.spinner.start(text);
  }
  finish(report: FleetReport, details?: string) {
    this.spinner.stop();
    writeSummary(this.out, report, details);
  }
}

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
    private readonly out: NodeJS.WritableStream & { columns?: number },
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
  finish(report: FleetReport, details?: string) {
    if (this.closed) return;
    this.redraw();
    this.closed = true;
    clearInterval(this.timer);
    this.restoreCursor();
    process.off('exit', this.restoreCursor);
    writeSummary(this.out, report, details);
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
