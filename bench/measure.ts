import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Wall-clock timing of whole commands, repeated, reported as medians. Benchmarks compare a dockhand
 * command against a raw baseline measured in the same run on the same machine, so the figure that
 * matters is the ratio, not the absolute time (which depends on the machine).
 */
export interface Sample {
  label: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Peak resident memory of the process, the highest over the runs (GNU time's %M), when asked for. */
  maxRssKb?: number;
}

export interface Row {
  work: string;
  floor: Sample;
  subject: Sample;
  /** The same work with another build (BENCH_BEFORE), for before/after comparisons. */
  before?: Sample;
  /** The ratio subject/floor aimed at. */
  goal: number;
}

export function timeCommand(
  label: string,
  argv: readonly string[],
  opts: { runs?: number; warmup?: number; env?: NodeJS.ProcessEnv; okCodes?: number[]; maxRss?: boolean } = {},
): Sample {
  const runs = opts.runs ?? 15;
  const warmup = opts.warmup ?? 2;
  const okCodes = opts.okCodes ?? [0];
  const times: number[] = [];
  const dir = opts.maxRss ? mkdtempSync(join(tmpdir(), 'dockhand-bench-rss-')) : undefined;
  let maxRssKb: number | undefined;
  try {
    for (let i = 0; i < warmup + runs; i++) {
      // GNU time writes the peak RSS to its own file, so the command's stderr stays the command's.
      const cmd = dir ? ['/usr/bin/time', '-f', '%M', '-o', join(dir, 'rss'), ...argv] : argv;
      const start = process.hrtime.bigint();
      const r = spawnSync(cmd[0]!, cmd.slice(1), { env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (r.error) throw r.error;
      if (!okCodes.includes(r.status ?? -1)) {
        throw new Error(`${label}: exit ${r.status}: ${r.stderr?.toString().slice(-1500)}`);
      }
      if (i < warmup) continue;
      times.push(ms);
      if (dir) maxRssKb = Math.max(maxRssKb ?? 0, Number(readFileSync(join(dir, 'rss'), 'utf8').trim().split('\n').at(-1)));
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return {
    label,
    runs,
    medianMs: times[Math.floor(times.length / 2)]!,
    minMs: times[0]!,
    maxMs: times[times.length - 1]!,
    ...(maxRssKb === undefined ? {} : { maxRssKb }),
  };
}

const seconds = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

/** One Markdown table: work, floor, dockhand, ratio, goal (the README shows the latest). */
export function formatTable(rows: readonly Row[]): string {
  const withBefore = rows.some((r) => r.before);
  const lines = [
    `| work | floor | dockhand | ratio | goal |${withBefore ? ' before | ratio before |' : ''}`,
    `|---|---|---|---|---|${withBefore ? '---|---|' : ''}`,
  ];
  for (const r of rows) {
    const ratio = r.subject.medianMs / r.floor.medianMs;
    const b = r.before ? ` ${seconds(r.before.medianMs)} | ${(r.before.medianMs / r.floor.medianMs).toFixed(2)}× |` : withBefore ? ' | |' : '';
    lines.push(
      `| ${r.work} | ${seconds(r.floor.medianMs)} (${r.floor.label}) | ${seconds(r.subject.medianMs)} | ` +
        `${ratio.toFixed(2)}× | ≤ ${r.goal}×${ratio <= r.goal ? '' : ' (missed)'} |${b}`,
    );
  }
  return lines.join('\n');
}
