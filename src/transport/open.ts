import type { Logger } from '../core/log.js';
import type { ConnectOptions, TargetSpec, Transport } from './types.js';

/**
 * Open a transport for a target. (Stub: the local and SSH transports replace this.)
 */
export async function openTransport(_spec: TargetSpec, _opts: ConnectOptions, _logger: Logger): Promise<Transport> {
  throw new Error('openTransport: not implemented yet');
}
