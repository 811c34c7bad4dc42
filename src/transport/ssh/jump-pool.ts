/**
 * Jump host connections shared by the transports going through the same chain: a fleet behind one
 * bastion logs into it once, not once per host. A pool is an instance — a fleet run makes its own and
 * passes it to openTransport — so runs in one process (tests, a library caller) do not share logins
 * or leak connections into each other. Only types come from ssh2 here: creating a pool (every fleet
 * run does) must not load ssh2 for local runs.
 */
import type { Client } from 'ssh2';

/** A use of one shared jump connection; release() once (later calls do nothing). */
export interface JumpLease {
  client: Client;
  release(): void;
}

interface SharedJump {
  client: Promise<Client>;
  users: number;
}

export class JumpPool {
  /** Open jump connections by chain key (host-key settings and every hop up to this one). */
  private readonly jumps = new Map<string, SharedJump>();

  /** The connection for this chain key, opened with `open` when the pool has none (or lost it). */
  async lease(key: string, open: () => Promise<Client>): Promise<JumpLease> {
    let entry = this.jumps.get(key);
    if (!entry) {
      const created: SharedJump = { client: open(), users: 0 };
      const drop = () => {
        if (this.jumps.get(key) === created) this.jumps.delete(key);
      };
      created.client.then((c) => c.on('close', drop), drop);
      this.jumps.set(key, created);
      entry = created;
    }
    const shared = entry;
    shared.users++;
    let client: Client;
    try {
      client = await shared.client;
    } catch (e) {
      shared.users--;
      throw e;
    }
    let released = false;
    return {
      client,
      release: () => {
        if (released) return;
        released = true;
        this.release(key, shared);
      },
    };
  }

  /** Jump connections open now (for tests and diagnostics). */
  get size(): number {
    return this.jumps.size;
  }

  /** End every jump connection, leased or not (the end of a fleet run: nothing may outlive it). */
  async closeAll(): Promise<void> {
    const all = [...this.jumps.values()];
    this.jumps.clear();
    await Promise.all(all.map((j) => j.client.then(endClient, () => {})));
  }

  private release(key: string, entry: SharedJump): void {
    entry.users--;
    // Not in the map any more: it closed by itself (or closeAll ended it), nothing left to end.
    if (entry.users > 0 || this.jumps.get(key) !== entry) return;
    this.jumps.delete(key);
    entry.client.then(endClient, () => {});
  }
}

/** For callers that pass no pool: one per process, as a single command opening a few hosts wants. */
export const defaultJumpPool = new JumpPool();

/**
 * Say goodbye and drop the socket once the goodbye is written, as OpenSSH's client does: sshd closes
 * its side only after its PAM session close has run (tens to hundreds of ms at the end of every run,
 * waited for in vain: every command has answered by then, and SshTransport.close() first waits for
 * the kills it sent). The timer is for a goodbye that never drains.
 */
export function endClient(client: Client): Promise<void> {
  return new Promise((resolve) => {
    // ssh2's destroy() does nothing once end() has half-closed the socket, so destroy the socket.
    const sock = (client as unknown as { _sock?: { destroy(): void; once(e: 'finish', f: () => void): unknown } })._sock;
    const timer = setTimeout(() => {
      sock?.destroy();
      resolve();
    }, 2000);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    sock?.once('finish', () => sock.destroy());
    client.end();
  });
}
