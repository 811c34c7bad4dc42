/**
 * A connection that the far side closes part-way through the handshake or the authentication (sshd
 * killed, MaxStartups, a host whose network goes away) must fail the connect with a ConnectError —
 * never leave it pending: ssh2 may then emit 'close' without 'error', and a connect waiting only for
 * 'ready' or 'error' left a fleet run with nothing to wait for (the process ended with an internal
 * error, that host never reported). A relay in front of the real sshd cuts the connection after the
 * server has sent a given number of bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, connect, type Server } from 'node:net';
import { ConnectError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { openTransport } from '../../src/transport/open.js';
import { sshdSpec, startSshd, tempKnownHosts, testConnectOptions, type Sshd } from '../harness/sshd.js';

let sshd: Sshd;
beforeAll(async () => {
  delete process.env.SSH_AUTH_SOCK;
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.stop();
});

async function relayCuttingAfter(serverBytes: number): Promise<{ server: Server; port: number }> {
  const server = createServer((c) => {
    const s = connect({ host: sshd.host, port: sshd.port });
    let sent = 0;
    c.pipe(s);
    s.on('data', (d: Buffer) => {
      const room = serverBytes - sent;
      if (room > 0) c.write(d.subarray(0, room));
      sent += d.length;
      if (sent >= serverBytes) {
        c.destroy();
        s.destroy();
      }
    });
    c.on('error', () => {});
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}

describe('a connection cut during the handshake', () => {
  // After the banner; inside the key exchange.
  it.each([100, 1200])('after %i bytes from the server: the connect fails, it does not hang', async (bytes) => {
    const { server, port } = await relayCuttingAfter(bytes);
    const kh = tempKnownHosts([sshd.knownHostsLine().replace(`]:${sshd.port} `, `]:${port} `)]);
    try {
      const outcome = await Promise.race([
        openTransport(sshdSpec(sshd, { host: '127.0.0.1', port }), testConnectOptions(kh.file), silentLogger).then(
          async (t) => {
            await t.close();
            return 'connected';
          },
          (e: unknown) => e,
        ),
        new Promise((r) => setTimeout(() => r('pending'), 8000)),
      ]);
      expect(outcome).toBeInstanceOf(ConnectError);
    } finally {
      kh.cleanup();
      server.close();
    }
  }, 15_000);
});
