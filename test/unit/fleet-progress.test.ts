import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { ExitCode } from '../../src/core/errors.js';
import { JsonExporter } from '../../src/fleet/export/json.js';
import { TableExporter } from '../../src/fleet/export/table.js';
import { progressMode } from '../../src/fleet/progress/index.js';
import { JsonProgress } from '../../src/fleet/progress/json.js';
import { LiveProgress } from '../../src/fleet/progress/live.js';
import { PlainProgress } from '../../src/fleet/progress/plain.js';
import { renderSummary } from '../../src/fleet/summary.js';
import { formatDuration, truncate } from '../../src/fleet/format.js';
import type { FleetReport, HostReport } from '../../src/fleet/types.js';

class Capture extends Writable {
  text = '';
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}
const steps = (changed = 0, ok = 0, failed = 0) => ({ ok, changed, failed, skipped: 0 });
const host = (name: string, outcome: HostReport['outcome'], extra: Partial<HostReport> = {}): HostReport => ({
  host: name,
  outcome,
  steps: steps(),
  durationMs: 1500,
  ...extra,
});
const report: FleetReport = {
  hosts: [
    host('web-1', 'changed', { os: 'debian 12', steps: steps(2, 3), durationMs: 4200 }),
    host('db-1', 'failed', { os: 'ubuntu 24.04', steps: steps(0, 1, 1), error: 'packages: ' + 'x'.repeat(200) }),
    host('far', 'unreachable', { error: 'far: connection refused' }),
  ],
  exitCode: ExitCode.unreachable,
  durationMs: 65_000,
};

describe('summary table', () => {
  it('one row per host, errors truncated to the width, a totals line', () => {
    const text = renderSummary(report, 100);
    expect(text.split('\n')).toEqual([
      'HOST   OS            RESULT       CHANGED  OK  FAILED  TIME  ERROR',
      'web-1  debian 12     changed            2   3       0  4.2s',
      expect.stringMatching(/^db-1   ubuntu 24\.04  failed             0   1       1  1\.5s  packages: x+…$/),
      'far    -             unreachable        0   0       0  1.5s  far: connection refused',
      '3 hosts: 1 changed, 1 failed, 1 unreachable in 1m05s (exit 4)',
      '',
    ]);
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('formats durations and truncates', () => {
    expect([formatDuration(0), formatDuration(4249), formatDuration(125_000)]).toEqual(['0.0s', '4.2s', '2m05s']);
    expect(truncate('abc\n  def', 20)).toBe('abc def');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });
});

describe('progress mode', () => {
  const tty = Object.assign(new Capture(), { isTTY: true }) as unknown as NodeJS.WriteStream;
  const pipe = new Capture() as unknown as NodeJS.WriteStream;
  it.each([
    [{ json: true, stream: tty, env: {}, hosts: ['a', 'b'] }, 'json'],
    [{ stream: pipe, env: {}, hosts: ['a', 'b'] }, 'plain'],
    [{ stream: tty, env: { CI: 'true' }, hosts: ['a', 'b'] }, 'plain'],
    [{ stream: tty, env: { CI: 'false' }, hosts: ['a', 'b'] }, 'live'],
    [{ stream: tty, env: { TERM: 'dumb' }, hosts: ['a', 'b'] }, 'plain'],
    [{ stream: tty, env: {}, hosts: ['a'] }, 'spinner'],
    [{ stream: tty, env: {}, hosts: ['a', 'b'] }, 'live'],
    [{ stream: Object.assign(new Capture(), { isTTY: true, columns: 0 }) as unknown as NodeJS.WriteStream, env: {}, hosts: ['a'] }, 'plain'],
  ])('%#', (opts, mode) => {
    expect(progressMode(opts)).toBe(mode);
  });
});

describe('plain and JSON progress', () => {
  const at = new Date(2030, 0, 1, 12, 0, 1).getTime();
  it('plain: one timestamped line per finished step and per host, plus a running step\'s progress updates', () => {
    const err = new Capture();
    const out = new Capture();
    const p = new PlainProgress(err, () => at);
    p.step('web-1', 'packages', 'running', undefined, '[5/9] Install the packages');
    p.step('web-1', 'packages', 'running', undefined, 'waiting for apt-get (pid 7) to release /var/lib/dpkg/lock (30s)');
    p.step('web-1', 'packages', 'changed', 4200);
    p.step('web-1', 'storage', 'running', undefined, '[6/9] Storage driver');
    p.step('web-1', 'storage', 'ok', 10);
    p.hostFinished(host('web-1', 'changed', { durationMs: 5000 }));
    p.stopping('fail-fast', 2);
    expect(err.text).toBe(
      '12:00:01 web-1 packages … waiting for apt-get (pid 7) to release /var/lib/dpkg/lock (30s)\n' +
        '12:00:01 web-1 packages … changed (4.2s)\n' +
        '12:00:01 web-1 storage … ok (0.0s)\n' +
        '12:00:01 web-1 done: changed (5.0s)\n' +
        '12:00:01 stopping (fail-fast): no new hosts or steps; waiting for 2 running hosts\n',
    );
    p.stop();
    expect(out.text).toBe('');
    new TableExporter(out).finish(report);
    expect(out.text).toBe(renderSummary(report, 100));
  });

  it('json: one event per line on stdout, summary last', () => {
    const out = new Capture();
    const p = new JsonProgress(out, () => at);
    p.step('web-1', 'packages', 'changed', 4200);
    new JsonExporter(out, () => at).finish({ ...report, hosts: [{ ...report.hosts[0]!, data: { big: true } }] });
    const events = out.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0]).toEqual({ event: 'step', host: 'web-1', step: 'packages', status: 'changed', durationMs: 4200, time: new Date(at).toISOString() });
    expect(events[1]).toMatchObject({ event: 'summary', exitCode: 4, hosts: [{ host: 'web-1', outcome: 'changed', steps: { changed: 2 } }] });
    expect(events[1].hosts[0].data).toBeUndefined();
  });
});

describe('live progress (multi-line redraw)', () => {
  const screen = (rows: number) => Object.assign(new Capture(), { isTTY: true, columns: 80, rows });
  const strip = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]|\r/g, '');

  it('moves the cursor up over its previous block before redrawing', () => {
    const err = screen(40);
    const p = new LiveProgress(['a', 'b'], err as unknown as NodeJS.WriteStream, () => 0);
    p.hostStarted('a');
    p.step('a', 'facts', 'running');
    p.stop();
    expect(err.text).toContain('\u001b[3A\r\u001b[J'); // 2 hosts + footer
    expect(err.text).toContain('\u001b[?25h'); // cursor shown again
    expect(strip(err.text)).toMatch(/a\s+facts\s+0\.0s/);
  });

  it('with more hosts than rows, finished hosts scroll up and waiting ones collapse into the footer', () => {
    const err = screen(8);
    const names = Array.from({ length: 20 }, (_, i) => `h${i}`);
    const p = new LiveProgress(names, err as unknown as NodeJS.WriteStream, () => 0);
    for (const n of names.slice(0, 10)) p.hostStarted(n);
    for (const n of names.slice(0, 3)) p.hostFinished(host(n, 'ok'));
    err.text = '';
    p.log('note');
    const frame = strip(err.text).trimEnd().split('\n');
    expect(frame[0]).toBe('note');
    expect(frame.slice(1)).toEqual([
      ...names.slice(3, 7).map((n) => expect.stringMatching(new RegExp(`^⠋ ${n}\\s+connecting`))),
      '  … 3 more running',
      '3/20 done · 7 running · 10 waiting',
    ]);
    p.stop();
  });
});
