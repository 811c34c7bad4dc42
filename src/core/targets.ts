import { UsageError } from './errors.js';
import type { TargetSpec } from '../transport/types.js';

/**
 * `-H` values: `[user@]host[:port]`, `[user@][v6addr]:port`, or `local`/`localhost-local` for this machine.
 * No -H at all means the local machine.
 */
export function parseTarget(text: string): TargetSpec {
  const value = text.trim();
  if (value === '' ) throw new UsageError('empty -H value');
  if (value === 'local') return { name: 'local', kind: 'local' };
  const at = value.lastIndexOf('@');
  const user = at >= 0 ? value.slice(0, at) : undefined;
  let rest = at >= 0 ? value.slice(at + 1) : value;
  let port: number | undefined;
  let host: string;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) throw new UsageError(`bad host '${text}': missing ']'`);
    host = rest.slice(1, end);
    rest = rest.slice(end + 1);
    if (rest.startsWith(':')) port = parsePort(rest.slice(1), text);
    else if (rest !== '') throw new UsageError(`bad host '${text}'`);
  } else {
    const colon = rest.lastIndexOf(':');
    // More than one colon without brackets is a bare IPv6 address, not host:port.
    if (colon >= 0 && rest.indexOf(':') === colon) {
      host = rest.slice(0, colon);
      port = parsePort(rest.slice(colon + 1), text);
    } else host = rest;
  }
  if (!host) throw new UsageError(`bad host '${text}': no host name`);
  if (user === '') throw new UsageError(`bad host '${text}': empty user name`);
  return { name: value, kind: 'ssh', host, user, port };
}

function parsePort(p: string, text: string): number {
  const n = Number(p);
  if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw new UsageError(`bad port in '${text}'`);
  return n;
}

export function parseTargets(values: readonly string[]): TargetSpec[] {
  if (values.length === 0) return [{ name: 'local', kind: 'local' }];
  return values.map(parseTarget);
}
