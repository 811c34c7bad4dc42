import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectError, ExitCode, InputError } from '../../src/core/errors.js';
import { fleetExitCode, runFleet, type FleetTask } from '../../src/fleet/run.js';
import { StartGate } from '../../src/fleet/start-gate.js';
import type { HostOutcome } from '../../src/fleet/types.js';

const hosts = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `h${i + 1}` }));
const okTask: FleetTask<{ name: string }> = async (_h, ctx) => {
  ctx.report('work', 'running');
  await sleep(1);
  ctx.report('work', 'ok');
  return { outcome: 'ok' };
};

describe('runFleet', () => {
  it('never runs more hosts at once than the concurrency, and uses all of it', async () => {
    let active = 0;
    let peak = 0;
    const report = await runFleet(
      hosts(25),
      async () => {
        peak = Math.max(peak, ++active);
        await sleep(2 + Math.random() * 8);
        active--;
        return { outcome: 'ok' };
      },
      { concurrency: 4 },
    );
    expect(peak).toBe(4);
    expect(report.hosts).toHaveLength(25);
    expect(report.exitCode).toBe(ExitCode.ok);
  });

  it('one failing or unreachable host does not stop the others', async () => {
    const report = await runFleet(
      hosts(5),
      async (h, ctx) => {
        if (h.name === 'h2') throw new Error('apt exploded\nsecond line');
        if (h.name === 'h4') throw new ConnectError('h4', 'refused', 'connection refused');
        return okTask(h, ctx);
      },
      { concurrency: 2 },
    );
    expect(report.hosts.map((h) => [h.host, h.outcome, h.error])).toEqual([
      ['h1', 'ok', undefined],
      ['h2', 'failed', 'apt exploded'],
      ['h3', 'ok', undefined],
      ['h4', 'unreachable', 'h4: connection refused'],
      ['h5', 'ok', undefined],
    ]);
    expect(report.exitCode).toBe(ExitCode.unreachable);
    expect(report.stopped).toBeUndefined();
  });

  it('counts steps and upgrades ok to changed when a step changed something', async () => {
    const report = await runFleet([{ name: 'a' }], async (_h, ctx) => {
      for (const [step, status] of [['repo', 'changed'], ['packages', 'ok'], ['group', 'skipped']] as const) {
        ctx.report(step, 'running');
        ctx.report(step, status);
      }
      return { outcome: 'ok', os: 'debian 12' };
    });
    expect(report.hosts[0]).toMatchObject({ outcome: 'changed', os: 'debian 12', steps: { ok: 1, changed: 1, failed: 0, skipped: 1 } });
  });

  it('paces connection starts to one server at the configured rate', async () => {
    const starts: number[] = [];
    await runFleet(
      hosts(6),
      async (_h, ctx) => {
        await ctx.connect(async () => starts.push(Date.now()), ['bastion:22']);
        return { outcome: 'ok' };
      },
      { concurrency: 6, connectStartsPerSecond: 20 },
    );
    expect(starts).toHaveLength(6);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(45);
  });

  it('starts connections to different servers at once (sshd limits are per server)', async () => {
    const starts: number[] = [];
    await runFleet(
      hosts(6),
      async (h, ctx) => {
        await ctx.connect(async () => starts.push(Date.now()), [`${h.name}:22`]);
        return { outcome: 'ok' };
      },
      { concurrency: 6, connectStartsPerSecond: 2 },
    );
    expect(starts).toHaveLength(6);
    // At 2 starts/s one server would take 2.5 s; six servers start within one tick.
    expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(200);
  });

  it('a shared jump host paces the hosts behind it; hosts elsewhere are not held up', async () => {
    const starts = new Map<string, number>();
    const t0 = Date.now();
    await runFleet(
      hosts(4),
      async (h, ctx) => {
        const behindBastion = h.name !== 'h4';
        await ctx.connect(async () => starts.set(h.name, Date.now() - t0), behindBastion ? ['bastion:22', `${h.name}:22`] : [`${h.name}:22`]);
        return { outcome: 'ok' };
      },
      { concurrency: 4, connectStartsPerSecond: 10 },
    );
    const behind = ['h1', 'h2', 'h3'].map((n) => starts.get(n)!).sort((a, b) => a - b);
    expect(behind[1]! - behind[0]!).toBeGreaterThanOrEqual(95);
    expect(behind[2]! - behind[1]!).toBeGreaterThanOrEqual(95);
    expect(starts.get('h4')!).toBeLessThan(behind[1]!);
  });

  it('bounds handshakes in flight at one server', async () => {
    let inFlight = 0;
    let peak = 0;
    await runFleet(
      hosts(10),
      async (_h, ctx) => {
        await ctx.connect(async () => {
          peak = Math.max(peak, ++inFlight);
          await sleep(15);
          inFlight--;
        }, ['one:22']);
        return { outcome: 'ok' };
      },
      { concurrency: 10, connectStartsPerSecond: Infinity, maxConnectStarts: 3 },
    );
    expect(peak).toBe(3);
  });

  it('--fail-fast: no host starts after the first failure', async () => {
    const seen: string[] = [];
    const report = await runFleet(
      hosts(5),
      async (h) => {
        seen.push(h.name);
        return { outcome: h.name === 'h2' ? 'failed' : 'ok', error: h.name === 'h2' ? 'boom' : undefined };
      },
      { concurrency: 1, failFast: true },
    );
    expect(seen).toEqual(['h1', 'h2']);
    expect(report.stopped).toBe('fail-fast');
    expect(report.hosts.map((h) => h.outcome)).toEqual(['ok', 'failed', 'cancelled', 'cancelled', 'cancelled']);
    expect(report.hosts[2]!.error).toBe('not started (fail-fast)');
    expect(report.exitCode).toBe(ExitCode.hostFailed);
  });

  it('--max-fail-percent: stops once failures exceed the percentage of all hosts', async () => {
    const failing = new Set(['h1', 'h2', 'h3', 'h4']);
    const report = await runFleet(
      hosts(10),
      async (h) => {
        if (failing.has(h.name)) throw new ConnectError(h.name, 'timeout', 'timed out');
        return { outcome: 'ok' };
      },
      { concurrency: 1, maxFailPercent: 20 },
    );
    // 2 of 10 = 20% is not more than 20%; the third failure (30%) stops the run.
    expect(report.hosts.map((h) => h.outcome)).toEqual([
      'unreachable', 'unreachable', 'unreachable', ...Array<HostOutcome>(7).fill('cancelled'),
    ]);
    expect(report.stopped).toBe('max-fail-percent');
  });

  it('abort (Ctrl-C): running hosts start no new step, queued hosts never start, all are reported', async () => {
    const abort = new AbortController();
    const events: string[] = [];
    const reportPromise = runFleet(
      hosts(5),
      async (_h, ctx) => {
        ctx.report('first', 'running');
        await sleep(40);
        ctx.report('first', 'ok');
        ctx.report('second', 'running'); // throws once stopped
        ctx.report('second', 'ok');
        return { outcome: 'ok' };
      },
      { concurrency: 2, signal: abort.signal, observer: { stopping: (reason, running) => events.push(`${reason}:${running}`) } },
    );
    await sleep(10);
    abort.abort();
    const report = await reportPromise;
    expect(events).toEqual(['interrupted:2']);
    expect(report.stopped).toBe('interrupted');
    expect(report.hosts.map((h) => [h.outcome, h.steps.ok, h.error])).toEqual([
      ['cancelled', 1, 'interrupted'],
      ['cancelled', 1, 'interrupted'],
      ['cancelled', 0, 'not started (interrupted)'],
      ['cancelled', 0, 'not started (interrupted)'],
      ['cancelled', 0, 'not started (interrupted)'],
    ]);
    expect(report.exitCode).toBe(ExitCode.hostFailed);
  });

  it('a host waiting for a connection slot is cancelled by an abort', async () => {
    const abort = new AbortController();
    const p = runFleet(
      hosts(3),
      async (_h, ctx) => {
        await ctx.connect(() => sleep(30), ['one:22']);
        return { outcome: 'ok' };
      },
      { concurrency: 3, connectStartsPerSecond: 5, signal: abort.signal },
    );
    await sleep(20);
    abort.abort();
    const report = await p;
    expect(report.hosts.map((h) => h.outcome)).toEqual(['ok', 'cancelled', 'cancelled']);
  });

  it('tells the observer every event in order', async () => {
    const events: string[] = [];
    await runFleet([{ name: 'a' }], okTask, {
      observer: {
        hostStarted: (h) => events.push(`start ${h}`),
        step: (h, s, st, ms) => events.push(`${h} ${s} ${st} ${ms === undefined ? '-' : 'ms'}`),
        hostFinished: (r) => events.push(`done ${r.host} ${r.outcome}`),
      },
    });
    expect(events).toEqual(['start a', 'a work running -', 'a work ok ms', 'done a ok']);
  });
});

describe('runFleet: what a failed host still reports', () => {
  it('keeps the OS detected before the failure, and the failing error\'s own exit code when all agree', async () => {
    const report = await runFleet(hosts(2), async (h, ctx) => {
      ctx.detectedOs('debian 12');
      throw new InputError(`/etc/docker/daemon.json on ${h.name}`, 'invalid JSON', { line: 3 });
    });
    expect(report.hosts.map((r) => [r.os, r.outcome, r.errorCode])).toEqual([
      ['debian 12', 'failed', ExitCode.dataError],
      ['debian 12', 'failed', ExitCode.dataError],
    ]);
    expect(report.exitCode).toBe(ExitCode.dataError);
  });
});

describe('fleetExitCode', () => {
  it('a shared specific code only when every failure has it; bugs (70) count as plain failures', () => {
    expect(fleetExitCode([{ outcome: 'failed', errorCode: ExitCode.dataError }, { outcome: 'failed', errorCode: ExitCode.hostFailed }])).toBe(2);
    expect(fleetExitCode([{ outcome: 'failed', errorCode: ExitCode.internal }])).toBe(2);
    expect(fleetExitCode([{ outcome: 'failed', errorCode: ExitCode.dataError }, { outcome: 'unreachable', errorCode: 4 }])).toBe(4);
  });

  it.each<[HostOutcome[], number]>([
    [[], 0],
    [['ok', 'changed', 'skipped'], 0],
    [['ok', 'failed'], 2],
    [['cancelled'], 2],
    [['ok', 'unreachable'], 4],
    [['failed', 'unreachable'], 4],
  ])('%j → %d', (outcomes, code) => {
    expect(fleetExitCode(outcomes.map((outcome) => ({ outcome })))).toBe(code);
  });
});

describe('StartGate', () => {
  it('rejects nonsense limits', () => {
    expect(() => new StartGate({ perSecond: 0, maxInFlight: 1 })).toThrow(RangeError);
    expect(() => new StartGate({ perSecond: 1, maxInFlight: 0 })).toThrow(RangeError);
  });

  it('releases the slot when a start fails', async () => {
    const gate = new StartGate({ perSecond: Infinity, maxInFlight: 1 });
    await expect(gate.run(async () => Promise.reject(new Error('refused')), undefined, ['s:22'])).rejects.toThrow('refused');
    await expect(gate.run(async () => 'second', undefined, ['s:22'])).resolves.toBe('second');
  });

  it('a start waiting for a busy server is not overtaken there by a later one', async () => {
    const gate = new StartGate({ perSecond: Infinity, maxInFlight: 1 });
    const order: string[] = [];
    let releaseJ!: () => void;
    const first = gate.run(() => new Promise<void>((r) => (releaseJ = r)), undefined, ['j:22']);
    const second = gate.run(async () => void order.push('j+a'), undefined, ['j:22', 'a:22']);
    const third = gate.run(async () => void order.push('a'), undefined, ['a:22']);
    const other = gate.run(async () => void order.push('b'), undefined, ['b:22']);
    await other;
    expect(order).toEqual(['b']); // a is reserved for the earlier j+a start
    releaseJ();
    await Promise.all([first, second, third]);
    expect(order).toEqual(['b', 'j+a', 'a']);
  });
});
