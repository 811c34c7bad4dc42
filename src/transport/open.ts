import { addSecret, type Logger } from '../core/log.js';
import { LocalTransport } from './local.js';
import type { JumpPool } from './ssh/jump-pool.js';
import type { ConnectOptions, Pace, TargetSpec, Transport } from './types.js';

export interface OpenOptions {
  /** Jump host connections to share (a fleet run's own); default: one pool per process. */
  jumps?: JumpPool;
  /** Connection pacing (a fleet run's start gate): each handshake goes through it. */
  pace?: Pace;
}

/**
 * Open a transport for a target: this machine, or an SSH connection (opened now, so that connect,
 * auth and host-key failures surface here as ConnectError).
 */
export async function openTransport(spec: TargetSpec, opts: ConnectOptions, logger: Logger, open: OpenOptions = {}): Promise<Transport> {
  // Registered before anything can echo a command: the password is masked in every log line.
  if (opts.becomePassword) addSecret(opts.becomePassword);
  if (spec.kind === 'local') return new LocalTransport(spec.name, opts, logger);
  // The route first: `ssh -G` runs in its own process while ssh2 loads (loaded only for SSH targets:
  // tens of ms of start-up that local runs should not pay), instead of after it.
  const { resolveRoute } = await import('./ssh/hops.js');
  const route = resolveRoute(spec, opts);
  route.catch(() => {}); // awaited (and its error reported) by the first connect
  const { SshTransport } = await import('./ssh/transport.js');
  const transport = new SshTransport(spec, opts, logger, open.jumps, open.pace, route);
  await transport.connect();
  return transport;
}
