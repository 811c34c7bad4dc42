import { spawnSync } from 'node:child_process';

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
}

export function timeCommand(
  label: string,
  argv: readonly string[],
  opts: { runs?: number; warmup?: number; env?: NodeJS.ProcessEnv; okCodes?: number[] } = {},
): Sample {
  const runs = opts.runs ?? 15;
  const okCodes = opts.okCodes ?? [0];
  const times: number[] = [];
  for (let i = 0; i < (opts.warmup ?? 2) + runs; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(argv[0]!, argv.slice(1), { env: opts.env ?? process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.error) throw r.error;
    if (!okCodes.includes(r.status ?? -1)) {
      throw new Error(`${label}: exit ${r.status}: ${r.stderr?.toString().slice(-500)}`);
    }
    if (i >= (opts.warmup ?? 2)) times.push(ms);
  }
  times.sort((a, b) => a - b);
  return {
    label,
    runs,
    medianMs: times[Math.floor(times.length / 2)]!,
    minMs: times[0]!,
    maxMs: times[times.length - 1]!,
  };
}

export function ratioLine(subject: Sample, baseline: Sample): string {
  const ratio = subject.medianMs / baseline.medianMs;
  return `${subject.label}: ${subject.medianMs.toFixed(1)} ms median (${subject.runs} runs) = ${ratio.toFixed(2)}× ${baseline.label} (${baseline.medianMs.toFixed(1)} ms)`;
}
