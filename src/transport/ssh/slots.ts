/** Counting semaphores: channels per connection, handshakes per server. */

/**
 * Handshakes in flight at once at one server (host:port). sshd starts dropping unauthenticated
 * connections beyond MaxStartups (default 10:30:100) — many connections to one address, or many
 * ports of one machine. The limit is each sshd's own, so it is counted per server: sixteen hosts
 * with their own sshd all shake hands at once (it was one process-wide count of 8, which made the
 * second half of a 16-host fleet wait for the first).
 */
const MAX_HANDSHAKES = 8;

export class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(n: number) {
    this.free = n;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

const perServer = new Map<string, Slots>();

/** The handshake slots of one server (`host:port`), shared by every SSH connection this process opens. */
export function handshakeSlots(server: string): Slots {
  let slots = perServer.get(server);
  if (!slots) perServer.set(server, (slots = new Slots(MAX_HANDSHAKES)));
  return slots;
}
