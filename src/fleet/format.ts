/** Small text helpers shared by the progress renderers and the summary table. */
import type { HostOutcome, StepStatus } from './types.js';

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}

/** Local wall-clock time, HH:MM:SS, for plain log lines. */
export function clockTime(at: number): string {
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Cut a line to `width` characters, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ');
  if (width <= 0) return '';
  return oneLine.length <= width ? oneLine : `${oneLine.slice(0, Math.max(0, width - 1))}…`;
}

export const outcomeSymbol: Record<HostOutcome | StepStatus, string> = {
  ok: '✔',
  changed: '✚',
  skipped: '-',
  failed: '✖',
  unreachable: '✖',
  cancelled: '⊘',
  running: '…',
};

export function isBad(outcome: HostOutcome | StepStatus): boolean {
  return outcome === 'failed' || outcome === 'unreachable';
}
