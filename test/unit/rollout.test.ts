/** Rolling runs: batches, the stop after an unhealthy batch, Ctrl-C between batches (src/fleet/rollout.ts). */
import { describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../src/core/errors.js';
import { batchesOf, parseSerial, runRollout } from '../../src/fleet/rollout.js';
import type { FleetTask } from '../../src/fleet/run.js';
import type { HostReport, StopReason } from '../../src/fleet/types.js';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `h${i + 1}` }));
const names = (bs: { name: string }[][]) => bs.map((b) => b.map((h) => h.name));

describe('parseSerial / batchesOf', () => {
  it('counts and percentages, the last batch smaller', () => {
    expect(names(batchesOf(hosts(5), parseSerial('2')))).toEqual([['h1', 'h2'], ['h3', 'h4'], ['h5']]);
    expect(names(batchesOf(hosts(5), parseSerial('40%')))).toEqual([['h1', 'h2'], ['h3', 'h4'], ['h5']]);
    // A percentage never rounds down to an empty batch.
    expect(names(batchesOf(hosts(3), parseSerial('1%')))).toEqual([['h1'], ['h2'], ['h3']]);
    expect(names(batchesOf(hosts(3), parseSerial('100%')))).toEqual([['h1', 'h2', 'h3']]);
    expect(names(batchesOf(hosts(2), parseSerial('10')))).toEqual([['h1', 'h2']]);
  });
  it.each(['0', '0%', '101%', '-1', '1.5', 'two', '', '5%%'])('refuses %j', (text) => {
    expect(() => parseSerial(text)).toThrow(UsageError);
  });
});

describe('runRollout', () => {
  it('runs each batch only after the one before ended, in order', async () => {
    const log: string[] = [];
    const batches: string[][] = [];
    const task: FleetTask<{ name: string }> = async (h) => {
      log.push(`start ${h.name}`);
      await new Promise((r) => setTimeout(r, h.name === 'h1' ? 20 : 1));
      log.push(`end ${h.name}`);
      return { outcome: 'changed' };
    };
    const report = await runRollout(hosts(4), task, { count: 2 }, { batchStarted: (_i, _n, hs) => batches.push([...hs]) });
    expect(batches).toEqual([['h1', 'h2'], ['h3', 'h4']]);
    // h3 starts only after h1 (the slow one of batch 1) ended.
    expect(log.indexOf('start h3')).toBeGreaterThan(log.indexOf('end h1'));
    expect(report.exitCode).toBe(ExitCode.ok);
    expect(report.stopped).toBeUndefined();
    expect(report.batchesRun).toBe(2);
  });

  it('a failed host (its gate) stops the rollout: later batches are not started and say why', async () => {
    const started: string[] = [];
    const finished: HostReport[] = [];
    const stops: StopReason[] = [];
    const task: FleetTask<{ name: string }> = async (h) => {
      started.push(h.name);
      return h.name === 'h2' ? { outcome: 'failed', error: 'health gate: container web is restarting' } : { outcome: 'changed' };
    };
    const report = await runRollout(hosts(3), task, { count: 1 }, {
      observer: { hostFinished: (r) => finished.push(r), stopping: (r) => stops.push(r) },
    });
    expect(started).toEqual(['h1', 'h2']);
    expect(report.hosts.map((h) => h.outcome)).toEqual(['changed', 'failed', 'cancelled']);
    expect(report.hosts[2]!.error).toBe('not started (rollout stopped after batch 2: gate-failed)');
    expect(report.stopped).toBe('gate-failed');
    expect(stops).toEqual(['gate-failed']);
    expect(finished.map((r) => r.host)).toEqual(['h1', 'h2', 'h3']);
    expect(report.exitCode).toBe(ExitCode.hostFailed);
  });

  it('a failure in the last batch is a failed run, not a stopped one', async () => {
    const report = await runRollout(hosts(2), async (h) => ({ outcome: h.name === 'h2' ? 'failed' : 'ok' }), { count: 1 });
    expect(report.stopped).toBeUndefined();
    expect(report.exitCode).toBe(ExitCode.hostFailed);
  });

  it('Ctrl-C during a batch: that batch ends, no further batch starts', async () => {
    const ctrl = new AbortController();
    const started: string[] = [];
    const task: FleetTask<{ name: string }> = async (h, ctx) => {
      started.push(h.name);
      ctx.report('work', 'running');
      if (h.name === 'h1') ctrl.abort();
      ctx.report('work', 'ok');
      return { outcome: 'ok' };
    };
    const report = await runRollout(hosts(3), task, { count: 1 }, { signal: ctrl.signal });
    expect(started).toEqual(['h1']);
    expect(report.stopped).toBe('interrupted');
    expect(report.hosts.map((h) => h.outcome)).toEqual(['ok', 'cancelled', 'cancelled']);
    expect(report.hosts[1]!.error).toBe('not started (interrupted after batch 1)');
  });
});
