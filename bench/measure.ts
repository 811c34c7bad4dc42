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
  /** CPU time (user + system) of the process and the children it waited for, median over the runs (with maxRss). */
  cpuMs?: number;
}

export interface Row {
  work: string;
  floor: Sample;
  subject: Sample;
  /** The same work with another build (BENCH_BEFORE), for before/after comparisons. */
  before?: Sample;
  /** The ratio subject/floor aimed at; none for a reference row. */
  goal?: number;
}

export interface TimeOptions {
  runs?: number;
  warmup?: number;
  env?: NodeJS.ProcessEnv;
  okCodes?: number[];
  /** Also record the peak RSS and the CPU time (via GNU time). */
  maxRss?: boolean;
}

export interface Timed {
  label: string;
  argv: readonly string[];
  opts?: TimeOptions;
}

export function timeCommand(label: string, argv: readonly string[], opts: TimeOptions = {}): Sample {
  return timeInterleaved([{ label, argv, opts }], opts.runs, opts.warmup)[0]!;
}

/**
 * Time several commands in turns (a, b, c, a, b, c, …), so that a change in the machine's load during
 * the run weighs on all of them alike: the ratio between them is what is reported.
 */
export function timeInterleaved(commands: readonly Timed[], runs = 15, warmup = 2): Sample[] {
  const times: number[][] = commands.map(() => []);
  const rss: Array<number | undefined> = commands.map(() => undefined);
  const cpu: number[][] = commands.map(() => []);
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-bench-'));
  try {
    for (let i = 0; i < warmup + runs; i++) {
      commands.forEach((c, k) => {
        const opts = c.opts ?? {};
        // GNU time writes the peak RSS to its own file, so the command's stderr stays the command's.
        const cmd = opts.maxRss ? ['/usr/bin/time', '-f', '%M %U %S', '-o', join(dir, 'rss'), ...c.argv] : c.argv;
        const start = process.hrtime.bigint();
        const r = spawnSync(cmd[0]!, cmd.slice(1), { env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (r.error) throw r.error;
        if (!(opts.okCodes ?? [0]).includes(r.status ?? -1)) {
          throw new Error(`${c.label}: exit ${r.status}: ${r.stderr?.toString().slice(-1500)}`);
        }
        if (i < warmup) return;
        times[k]!.push(ms);
        if (opts.maxRss) {
          const [kb, user, sys] = readFileSync(join(dir, 'rss'), 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
          rss[k] = Math.max(rss[k] ?? 0, kb!);
          cpu[k]!.push((user! + sys!) * 1000);
        }
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return commands.map((c, k) => {
    const t = times[k]!.sort((a, b) => a - b);
    const maxRssKb = rss[k];
    const cpuRuns = cpu[k]!.sort((a, b) => a - b);
    return {
      label: c.label,
      runs,
      medianMs: t[Math.floor(t.length / 2)]!,
      minMs: t[0]!,
      maxMs: t[t.length - 1]!,
      ...(maxRssKb === undefined ? {} : { maxRssKb }),
      ...(cpuRuns.length ? { cpuMs: cpuRuns[Math.floor(cpuRuns.length / 2)]! } : {}),
    };
  });
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
        `${ratio.toFixed(2)}× | ${r.goal === undefined ? '— (reference)' : `≤ ${r.goal}×${ratio <= r.goal ? '' : ' (missed)'}`} |${b}`,
    );
  }
  return lines.join('\n');
}
