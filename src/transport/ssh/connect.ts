/**
 * Opening SSH connections: one handshake (host key checked by our verifier, auth methods gathered
 * in auth.ts), retried when sshd resets it under MaxStartups, and a whole route — every jump host
 * (shared through a JumpPool), then the target over a channel from the last jump.
 */
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { Client, ConnectConfig } from 'ssh2';
import { ConnectError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { ConnectOptions } from '../types.js';
import { hostKeyAlgorithms } from './algorithms.js';
import { authMethods } from './auth.js';
import { asJumpError, classifyConnectError, jumpUnreachable } from './errors.js';
import { checkPresentedKey, knownHostsName, recordedKeyTypes, settingsKey, type Refusal } from './host-keys.js';
import { keepaliveCountFor, type Hop } from './hops.js';
import type { JumpLease, JumpPool } from './jump-pool.js';
import { handshakeSlots } from './slots.js';

/** Who is connecting: the target's display name (every error is about it) and the run's settings. */
export interface Connector {
  name: string;
  options: ConnectOptions;
  logger: Logger;
}

/** Connect through every jump host to the target. The caller releases the leases when it is done. */
export async function openRoute(
  who: Connector,
  route: { target: Hop; jumps: Hop[] },
  pool: JumpPool,
): Promise<{ client: Client; leases: JumpLease[] }> {
  const { target, jumps } = route;
  let via: Client | undefined;
  let chainKey = '';
  const leases: JumpLease[] = [];
  try {
    for (const [i, hop] of jumps.entries()) {
      chainKey += `>${settingsKey(hop.hostKeys)}|${hop.user}@${hop.host}:${hop.port}`;
      const from = via;
      const lease = await pool.lease(chainKey, async () => {
        const sock = from ? await forward(who, from, jumps[i - 1]!, hop) : undefined;
        return connectHop(who, hop, sock).catch((e: unknown) => {
          throw asJumpError(who.name, hop, e);
        });
      });
      leases.push(lease);
      via = lease.client;
    }
    const sock = via ? await forward(who, via, jumps[jumps.length - 1]!, target) : undefined;
    return { client: await connectHop(who, target, sock), leases };
  } catch (e) {
    leases.forEach((l) => l.release());
    throw e;
  }
}

/** A TCP channel from a jump host to the next hop, to run the next SSH connection over. */
function forward(who: Connector, jump: Client, jumpHop: Hop, next: Hop): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, next.host, next.port, (err, stream) => (err ? reject(jumpUnreachable(who.name, jumpHop, next, err)) : resolve(stream)));
  });
}

async function connectHop(who: Connector, hop: Hop, sock: Duplex | undefined): Promise<Client> {
  // sshd drops simultaneous fresh connections beyond MaxStartups: retry a reset handshake a little later.
  const slots = handshakeSlots(`${hop.host}:${hop.port}`);
  for (let attempt = 1; ; attempt++) {
    try {
      await slots.acquire();
      try {
        return await connectOnce(who, hop, sock);
      } finally {
        slots.release();
      }
    } catch (e) {
      const reset = e instanceof ConnectError && e.failure === 'other' && /ECONNRESET|before handshake/i.test(String(e.cause));
      if (!reset || sock || attempt >= 3) throw e;
      await new Promise((r) => setTimeout(r, 300 * attempt + Math.random() * 300));
    }
  }
}

function connectOnce(who: Connector, hop: Hop, sock: Duplex | undefined): Promise<Client> {
  const { methods, skipped } = authMethods(hop);
  let refusal: Refusal | undefined;
  const client = new ssh2.Client();
  const config: ConnectConfig = {
    host: hop.host,
    port: hop.port,
    username: hop.user,
    readyTimeout: who.options.connectTimeoutMs,
    keepaliveInterval: hop.keepaliveMs,
    keepaliveCountMax: keepaliveCountFor(hop.keepaliveMs),
    authHandler: methods,
    algorithms: { serverHostKey: hostKeyAlgorithms(recordedKeyTypes(hop.hostKeys, knownHostsName(hop.host, hop.port))) as never },
    // The callback form: ssh2 takes a returned Promise as "accept" (see test-hosts.md).
    hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
      refusal = checkPresentedKey(hop, hop.hostKeys, key, who.logger);
      verify(refusal === undefined);
    },
  };
  if (sock) config.sock = sock;
  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    const fail = (err: Error & { level?: string; code?: string }) => {
      if (settled) return;
      settled = true;
      // ssh2 may report more errors while tearing down; they add nothing to the first one.
      client.on('error', () => {});
      client.end();
      reject(
        refusal
          ? new ConnectError(who.name, refusal.failure, refusal.message, refusal.hint, err)
          : classifyConnectError(who.name, hop, err, skipped, who.options.connectTimeoutMs),
      );
    };
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      client.removeAllListeners('error');
      client.on('error', (err: Error) => who.logger.debug(`${who.name}: ssh connection error: ${err.message}`));
      resolve(client);
    });
    client.once('error', fail);
    // A connection cut part-way through the handshake or the authentication may end with 'close'
    // alone: waiting only for 'ready' or 'error' left the connect pending for ever (and a fleet run
    // with nothing left to wait for: it ended with an internal error, that host never reported).
    client.once('close', () => fail(new Error('Connection lost before handshake (closed during the key exchange or authentication)')));
    client.connect(config);
    // Nagle's algorithm off, as OpenSSH's client does (ssh2 leaves Node's default on): the handshake
    // and every command are small writes each waiting on the previous one's ACK, which sshd's side
    // delays by up to 40 ms — some 200 ms of a converged run. A no-op when `sock` is a jump channel.
    client.setNoDelay(true);
  });
}
