/** Counting semaphores: channels per connection, handshakes per process. */

/**
 * Handshakes in flight at once, process-wide. sshd starts dropping unauthenticated connections
 * beyond MaxStartups (default 10:30:100) — a fleet run to one host, or through one jump host.
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

/** Shared by every SSH connection this process opens (the limit is sshd's, per server, but a fleet
 * commonly reaches one server — a bastion, or one address with many ports). */
export const handshakes = new Slots(MAX_HANDSHAKES);
