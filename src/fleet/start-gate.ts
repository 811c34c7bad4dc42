/**
 * Pacing of SSH connection starts. sshd's `MaxStartups 10:30:100` begins refusing connections once
 * ten are mid-handshake, and a shared jump host sees every start; so a fleet run opens connections at a
 * steady rate with a bound on handshakes in flight, whatever its concurrency.
 */
export interface StartGateOptions {
  /** Connection starts per second (spacing = 1000 / rate ms). Infinity: no spacing. */
  perSecond: number;
  /** Handshakes in flight at once. */
  maxInFlight: number;
  now?: () => number;
}

export class StartGate {
  private inFlight = 0;
  private nextStartAt = 0;
  private readonly waiting: Array<{ resolve: () => void; reject: (e: unknown) => void; signal?: AbortSignal; onAbort?: () => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly spacingMs: number;

  constructor(private readonly opts: StartGateOptions) {
    if (!(opts.perSecond > 0) || !(opts.maxInFlight >= 1)) throw new RangeError('StartGate: perSecond > 0 and maxInFlight >= 1');
    this.now = opts.now ?? Date.now;
    this.spacingMs = Number.isFinite(opts.perSecond) ? 1000 / opts.perSecond : 0;
  }

  /** Run `start` (e.g. open an SSH connection) when the pace allows; the slot is held until it settles. */
  async run<T>(start: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await start();
    } finally {
      this.inFlight--;
      this.pump();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const waiter: (typeof this.waiting)[number] = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiting.push(waiter);
      this.pump();
    });
  }

  private pump(): void {
    if (this.timer) return;
    while (this.waiting.length > 0 && this.inFlight < this.opts.maxInFlight) {
      const wait = this.nextStartAt - this.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      const waiter = this.waiting.shift()!;
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      this.inFlight++;
      this.nextStartAt = this.now() + this.spacingMs;
      waiter.resolve();
    }
  }
}
