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

/**
 * The servers an SSH start reaches, as pacing keys: each jump host of the chain, then the destination
 * (`host:port` for both: the user does not matter to sshd's limits, and a server that is a jump host
 * for some hosts and a destination itself is one sshd). The local machine: none. Names are as
 * given (an inventory name, -H, or the ~/.ssh/config route when the caller resolved it): two aliases
 * of one machine count as two servers.
 */
export function serversOf(route: { kind: 'local' | 'ssh'; host?: string; port?: number; jump?: string }): string[] {
  if (route.kind === 'local') return [];
  const destination = route.host?.includes(':') ? `[${route.host}]` : (route.host ?? '');
  const jumps = (route.jump ?? '')
    .split(',')
    .map((j) => j.trim())
    .filter(Boolean)
    .map((j) => hostPort(j.slice(j.lastIndexOf('@') + 1)));
  return [...jumps, hostPort(`${destination}:${route.port ?? 22}`)];
}

/** `host`, `host:port`, `[v6]:port`, bare v6 → `host:port` (v6 unbracketed: only a key). */
function hostPort(text: string): string {
  const v6 = text.match(/^\[([^\]]+)\](?::(\d+))?$/);
  if (v6) return `${v6[1]}:${v6[2] ?? 22}`;
  const colon = text.lastIndexOf(':');
  if (colon >= 0 && text.indexOf(':') === colon) return text;
  return `${text}:22`;
}
