import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { openTransport } from '../../src/transport/open.js';
import type { Transport } from '../../src/transport/types.js';
import { processes } from '../harness/procs.js';
import { sshdAvailable, sshdSpec, startSshd, tempKnownHosts, testConnectOptions, useTrustedSshd, type Sshd } from '../harness/sshd.js';

// A connection that dies while a command's channel is being opened (sshd stalled, then gone): the
// command never started, so the transport runs it on a fresh connection instead of failing the host.

/** The processes serving this test server's connections (everything below its listener). */
function sessionProcesses(sshd: Sshd): number[] {
  const all = processes();
  const listener = all.find((p) => p.cmdline.includes(join(sshd.dir, 'sshd_config')) && !all.some((q) => q.pid === p.ppid && q.cmdline.includes(join(sshd.dir, 'sshd_config'))));
  if (!listener) throw new Error('test sshd listener not found');
  const below = new Set<number>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!below.has(p.pid) && (p.ppid === listener.pid || below.has(p.ppid))) {
        below.add(p.pid);
        grew = true;
      }
    }
  }
  return [...below];
}

const signal = (pids: number[], sig: NodeJS.Signals) => pids.forEach((pid) => {
  try {
    process.kill(pid, sig);
  } catch {
    // Gone already.
  }
});

describe.skipIf(!sshdAvailable())('SSH: connection lost before a command started', () => {
  const loopback = useTrustedSshd();

  it('runs the command once on a fresh connection', async () => {
    const { sshd, knownHosts } = loopback;
    const t: Transport = await openTransport(sshdSpec(sshd), testConnectOptions(knownHosts), silentLogger);
    try {
      expect((await t.exec('echo first')).stdout).toBe('first\n');
      const serving = sessionProcesses(sshd);
      expect(serving.length).toBeGreaterThan(0);
      // Stall the session so the channel open goes unanswered, then kill it: the link drops mid-open.
      signal(serving, 'SIGSTOP');
      const pending = t.exec('echo "ran on $$"');
      await new Promise((r) => setTimeout(r, 300));
      signal(serving, 'SIGKILL');
      const res = await pending;
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/^ran on \d+\n$/);
    } finally {
      await t.close();
    }
  });

  it('a channel refused on a live connection is reported, not retried', async () => {
    const strict = await startSshd({ config: ['MaxSessions 0'] });
    const file = tempKnownHosts([strict.knownHostsLine()]);
    try {
      const t = await openTransport(sshdSpec(strict), testConnectOptions(file.file), silentLogger);
      try {
        const err = await t.exec('true').then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(ConnectError);
        expect(String((err as Error).message)).toMatch(/could not start a command/);
      } finally {
        await t.close();
      }
    } finally {
      await strict.stop();
      file.cleanup();
    }
  });
});
