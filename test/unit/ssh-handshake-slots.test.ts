import { describe, expect, it } from 'vitest';
import { handshakeSlots } from '../../src/transport/ssh/slots.js';

// Issue 15: the handshake bound is sshd's MaxStartups, per server; one process-wide count of 8 made
// the 9th host of a fleet wait for another host's handshake.
describe('handshake slots', () => {
  it('are counted per server: a full server does not hold up another', async () => {
    const a = handshakeSlots('slots-test-a:22');
    for (let i = 0; i < 8; i++) await a.acquire();
    let ninthAtA = false;
    const waiting = a.acquire().then(() => (ninthAtA = true));
    let atB = false;
    await handshakeSlots('slots-test-b:22').acquire().then(() => (atB = true));
    await new Promise((r) => setTimeout(r, 10));
    expect({ atB, ninthAtA }).toEqual({ atB: true, ninthAtA: false });
    a.release();
    await waiting;
    expect(ninthAtA).toBe(true);
    expect(handshakeSlots('slots-test-a:22')).toBe(a);
  });
});
