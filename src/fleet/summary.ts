/**
 * The answer at the end of a fleet run: one row per host (host, detected OS, result, step counts,
 * duration, the error in one line) and a totals line. Printed to stdout; `--json` prints it as one event.
 * Cells are made printable before their widths are measured: a host's OS name or error text can neither
 * break the columns nor start a line of its own.
 */
import { safeLine } from '../core/output.js';
import { formatDuration, truncate } from './format.js';
import type { FleetReport, HostOutcome } from './types.js';

export function renderSummary(report: FleetReport, width = 100): string {
  const header = ['HOST', 'OS', 'RESULT', 'CHANGED', 'OK', 'FAILED', 'TIME'];
  const rows = report.hosts.map((h) => [
    safeLine(h.host),
    safeLine(h.os ?? '-'),
    h.outcome,
    String(h.steps.changed),
    String(h.steps.ok),
    String(h.steps.failed),
    formatDuration(h.durationMs),
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i]!.length)));
  const numeric = new Set([3, 4, 5, 6]);
  const line = (cells: string[]) =>
    cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  const fixed = widths.reduce((a, b) => a + b + 2, 0);
  const errorWidth = Math.max(20, width - fixed - 1);
  const out = [`${line(header)}  ERROR`];
  report.hosts.forEach((h, i) => out.push(`${line(rows[i]!)}  ${h.error ? truncate(safeLine(h.error), errorWidth) : ''}`.trimEnd()));
  out.push(totalsLine(report));
  return out.join('\n') + '\n';
}

export function totalsLine(report: FleetReport): string {
  const counts = new Map<HostOutcome, number>();
  for (const h of report.hosts) counts.set(h.outcome, (counts.get(h.outcome) ?? 0) + 1);
  const order: HostOutcome[] = ['changed', 'ok', 'skipped', 'failed', 'unreachable', 'cancelled'];
  const parts = order.filter((o) => counts.has(o)).map((o) => `${counts.get(o)} ${o}`);
  const stopped = report.stopped ? `, stopped early (${report.stopped})` : '';
  const n = report.hosts.length;
  return `${n} host${n === 1 ? '' : 's'}: ${parts.join(', ') || 'none'} in ${formatDuration(report.durationMs)}${stopped} (exit ${report.exitCode})`;
}
