/**
 * A hostile SSH peer on loopback: ssh2's own `Server` (a real SSH protocol implementation) that lets
 * anyone log in and then misbehaves the way a compromised or broken host can — answers every command
 * with endless bytes, or never opens the session channel. For tests of dockhand's bounds only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';

export type Misbehaviour =
  /** Every exec gets endless output on stdout, written as fast as the client takes it. */
  | 'flood'
  /** Session channels are never confirmed (nor refused). */
  | 'no-channel';

export interface HostileServer {
  port: number;
  /** known_hosts line for the server's key. */
  knownHostsFile: string;
  /** A client key (any key logs in). */
  clientKeyPath: string;
  /** Session channels requested so far. */
  sessions(): number;
  /** Bytes written to clients so far. */
  bytesSent(): number;
  stop(): Promise<void>;
}

export async function startHostileServer(mode: Misbehaviour): Promise<HostileServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-hostile-'));
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519');
  const clientKey = ssh2.utils.generateKeyPairSync('ed25519');
  const clientKeyPath = join(dir, 'id_ed25519');
  writeFileSync(clientKeyPath, clientKey.private, { mode: 0o600 });
  let sessions = 0;
  let sent = 0;
  const clients = new Set<ssh2.Connection>();
  const server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
    clients.add(client);
    client.on('error', () => {});
    client.on('close', () => clients.delete(client));
    client.on('authentication', (ctx) => ctx.accept());
    client.on('session', (accept) => {
      sessions++;
      if (mode === 'no-channel') return; // neither accept nor reject: the client waits
      const session = accept();
      session.on('exec', (acceptExec) => {
        const stream = acceptExec();
        const chunk = Buffer.alloc(64 * 1024, 'A');
        let open = true;
        stream.on('close', () => (open = false));
        stream.on('error', () => (open = false));
        const pump = () => {
          while (open) {
            sent += chunk.length;
            if (!stream.write(chunk)) {
              stream.once('drain', pump);
              return;
            }
          }
        };
        pump();
      });
      session.on('signal', () => {}); // ignored: a hostile host does not stop when asked
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const knownHostsFile = join(dir, 'known_hosts');
  writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostKey.public}\n`);
  return {
    port,
    knownHostsFile,
    clientKeyPath,
    sessions: () => sessions,
    bytesSent: () => sent,
    stop: async () => {
      for (const c of clients) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
