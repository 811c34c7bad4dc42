import { afterEach, describe, expect, it, vi } from 'vitest';
import { BecomeError } from '../../src/core/errors.js';
import { planCommand } from '../../src/transport/become.js';
import { CommandRun } from '../../src/transport/command-run.js';

const noStdin = { write() {}, end() {} };
const start = (run: CommandRun, kill = vi.fn()) => {
  run.started({ stdin: noStdin, kill, release() {} });
  return kill;
};

afterEach(() => {
  vi.useRealTimers();
});

describe('CommandRun', () => {
  it('a close without any exit status is a failure: code null', async () => {
    const run = new CommandRun('h', planCommand('x', { isRoot: true }), {}, 10_000);
    start(run);
    run.stdout(Buffer.from('partial'));
    run.closed();
    expect(await run.result).toEqual({ code: null, stdout: 'partial', stderr: '' });
  });

  it('an exit signal is reported with code null', async () => {
    const run = new CommandRun('h', planCommand('x', { isRoot: true }), {}, 10_000);
    start(run);
    run.exited(null, 'SIGTERM');
    run.closed();
    expect(await run.result).toEqual({ code: null, signal: 'SIGTERM', stdout: '', stderr: '' });
  });

  it('settles once output has been quiet for a while after the exit (pipes held by a child)', async () => {
    vi.useFakeTimers();
    const run = new CommandRun('h', planCommand('x', { isRoot: true }), {}, 60_000);
    start(run);
    run.exited(0);
    vi.advanceTimersByTime(1500);
    run.stdout(Buffer.from('late'));
    vi.advanceTimersByTime(1500); // quiet for 1.5 s only: still waiting
    let settled = false;
    void run.result.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    vi.advanceTimersByTime(600);
    expect(await run.result).toEqual({ code: 0, stdout: 'late', stderr: '' });
  });

  it('a timeout kills with the reported session id and reports timedOut', async () => {
    vi.useFakeTimers();
    const plan = planCommand('x', { isRoot: true, reportSession: true });
    const run = new CommandRun('h', plan, {}, 1000);
    const kill = start(run);
    run.stderr(Buffer.from(`${plan.beginMarker} 777\n`));
    vi.advanceTimersByTime(1000);
    expect(kill).toHaveBeenCalledWith('777');
    expect(await run.result).toEqual({ code: null, timedOut: true, stdout: '', stderr: '' });
  });

  it('sudo refusing before the command ran is a BecomeError', async () => {
    const run = new CommandRun('web1', planCommand('x', { sudo: true, isRoot: false }), {}, 10_000);
    start(run);
    run.stderr(Buffer.from('sudo: a password is required\n'));
    run.exited(1);
    run.closed();
    await expect(run.result).rejects.toBeInstanceOf(BecomeError);
    await expect(run.result).rejects.toThrow(/^web1: sudo needs a password/);
  });
});
