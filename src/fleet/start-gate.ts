/**
 * Pacing of SSH connection starts, per server. sshd's `MaxStartups 10:30:100` begins refusing
 * connections once ten are mid-handshake *at that sshd*, so the limits apply to each server a start
 * reaches — the destination and every jump host on the way — not to the fleet as a whole: sixteen
 * hosts with their own sshd all start at once, sixteen containers behind one address (or one bastion)
 * are opened at a steady rate with a bound on handshakes in flight there.
 */
export interface StartGateOptions {
  /** Connection starts per second at one server (spacing = 1000 / rate ms). Infinity: no spacing. */
  perSecond: number;
  /** Handshakes in flight at once at one server. */
  maxInFlight: number;
  now?: () => number;
}

interface Server {
  inFlight: number;
  nextStartAt: number;
}

interface Waiter {
  servers: readonly string[];
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class StartGate {
  private readonly servers = new Map<string, Server>();
  private readonly waiting: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly spacingMs: number;

  constructor(private readonly opts: StartGateOptions) {
    if (!(opts.perSecond > 0) || !(opts.maxInFlight >= 1)) throw new RangeError('StartGate: perSecond > 0 and maxInFlight >= 1');
    this.now = opts.now ?? Date.now;
    this.spacingMs = Number.isFinite(opts.perSecond) ? 1000 / opts.perSecond : 0;
  }

  /**
   * Run `start` (e.g. open an SSH connection) when every server it reaches allows it; the slots are
   * held until it settles. No servers (the local machine): at once.
   */
  async run<T>(start: () => Promise<T>, signal?: AbortSignal, servers: readonly string[] = []): Promise<T> {
    const unique = [...new Set(servers)];
    await this.acquire(unique, signal);
    try {
      return await start();
    } finally {
      for (const name of unique) this.server(name).inFlight--;
      this.pump();
    }
  }

  private server(name: string): Server {
    let s = this.servers.get(name);
    if (!s) this.servers.set(name, (s = { inFlight: 0, nextStartAt: 0 }));
    return s;
  }

  private acquire(servers: readonly string[], signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { servers, resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal.reason);
          this.pump(); // servers it had reserved (see pump) may be free for the next in line
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiting.push(waiter);
      this.pump();
    });
  }

  /**
   * Start every waiter whose servers all allow it, in arrival order. A waiter that must wait reserves
   * its servers: a later one for the same server does not overtake it (no starvation of a start that
   * needs a busy jump host as well as its own destination), while one for other servers goes ahead.
   */
  private pump(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const now = this.now();
    const reserved = new Set<string>();
    let wakeAt = Infinity;
    for (let i = 0; i < this.waiting.length; ) {
      const waiter = this.waiting[i]!;
      let ready = true;
      for (const name of waiter.servers) {
        const s = this.server(name);
        if (reserved.has(name) || s.inFlight >= this.opts.maxInFlight) ready = false;
        else if (s.nextStartAt > now) {
          ready = false;
          wakeAt = Math.min(wakeAt, s.nextStartAt);
        }
      }
      if (!ready) {
        for (const name of waiter.servers) reserved.add(name);
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      for (const name of waiter.servers) {
        const s = this.server(name);
        s.inFlight++;
        s.nextStartAt = now + this.spacingMs;
      }
      waiter.resolve();
    }
    if (wakeAt < Infinity) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wakeAt - now);
    }
  }
}
