/**
 * The doctor's bounds: the whole examination of a host ends within its bound even when a part
 * never settles (a hung channel), and a timed-out probe script is named as such, not as
 * "command failed (no exit status)". The transports are stubs: only the bound logic is under test.
 */
import { describe, expect, it } from 'vitest';
import { DOCTOR_BOUND_S, SCRIPT_BOUND_S, API_BOUND_S, gatherEvidence } from '../../src/doctor/gather.js';
import type { Transport } from '../../src/transport/types.js';

const stub = (exec: Transport['exec']): Transport =>
  ({ name: 'h1', kind: 'ssh', exec, writeFile: async () => {}, reconnect: async () => {}, close: async () => {} }) as Transport;

describe('doctor bounds', () => {
  it('the whole bound covers the script and the API queries', () => {
    expect(DOCTOR_BOUND_S).toBeGreaterThan(SCRIPT_BOUND_S + 2 * API_BOUND_S);
  });

  it('a host whose command never returns ends at the whole bound, as "could not check"', async () => {
    const t0 = Date.now();
    const err = await gatherEvidence(stub(() => new Promise(() => {})), { boundS: 1 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect((err as Error).message).toBe('h1: the examination did not finish within its bound of 1 s');
    expect((err as { exitCode: number }).exitCode).toBe(3);
  });

  it('a probe script that hit its own timeout says so', async () => {
    const err = await gatherEvidence(stub(async () => ({ code: null, stdout: '', stderr: '', timedOut: true })), { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('h1: the doctor probe did not finish within 2 s');
  });
});
