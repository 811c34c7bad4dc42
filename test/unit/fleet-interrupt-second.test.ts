import { describe, expect, it, vi } from 'vitest';
import { endRemoteWork } from '../../src/fleet/command.js';
import { interruptOnSigint } from '../../src/fleet/interrupt.js';
import type { Transport } from '../../src/transport/types.js';

describe('second Ctrl-C (issue 8, Found #6)', () => {
  it('runs onSecond before exiting with 130; a third Ctrl-C exits at once', async () => {
    const exit = vi.fn();
    let finish!: () => void;
    const onSecond = vi.fn(() => new Promise<void>((r) => (finish = r)));
    const h = interruptOnSigint({ onSecond, exit });
    try {
      process.emit('SIGINT');
      expect(h.signal.aborted).toBe(true);
      process.emit('SIGINT');
      expect(onSecond).toHaveBeenCalledTimes(1);
      expect(exit).not.toHaveBeenCalled();
      finish();
      await new Promise((r) => setTimeout(r, 0));
      expect(exit).toHaveBeenCalledWith(130);
      process.emit('SIGINT');
      expect(exit).toHaveBeenCalledTimes(2);
    } finally {
      h.dispose();
    }
  });

  it('endRemoteWork aborts every open transport and names those where a root command was cut', async () => {
    const t = (n: number | Error) => ({ abort: vi.fn(async () => { if (n instanceof Error) throw n; return n; }) }) as unknown as Transport;
    const a = t(1);
    const b = t(0);
    const c = t(new Error('gone'));
    let out = '';
    await endRemoteWork(new Map([['a', a], ['b', b], ['c', c]]), (x) => (out += x));
    expect(a.abort).toHaveBeenCalled();
    expect(b.abort).toHaveBeenCalled();
    expect(out).toContain('ended what was running on 3 host(s)');
    // An abort that failed cannot tell: the host is named too.
    expect(out).toMatch(/may be half-configured: a, c\n/);
  });
});
