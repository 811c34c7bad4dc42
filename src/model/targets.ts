import { UsageError } from '../core/errors.js';
import { hostNameProblem, loginUserProblem, portProblem, printable, splitHostPort } from '../core/values.js';
import type { TargetSpec } from './types.js';

/**
 * `-H` values: `[user@]host[:port]`, `[user@][v6addr]:port`, or `local`/`localhost-local` for this machine.
 * No -H at all means the local machine. Host and user names are checked here, before anything
 * resolves them: what OpenSSH would refuse never reaches DNS or `ssh -G`.
 */
export function parseTarget(text: string): TargetSpec {
  const value = text.trim();
  if (value === '') throw new UsageError('empty -H value');
  if (value === 'local') return { name: 'local', kind: 'local' };
  const bad = (why: string) => new UsageError(`bad host '${printable(text)}': ${why}`, 'expected [user@]host[:port] or [user@][ipv6]:port');
  const parts = splitHostPort(value);
  if (typeof parts === 'string') throw bad(parts);
  const { user, host } = parts;
  if (!host) throw bad('no host name');
  if (user !== undefined) {
    const userProblem = loginUserProblem(user);
    if (userProblem) throw bad(userProblem);
  }
  let port: number | undefined;
  if (parts.port !== undefined) {
    if (portProblem(parts.port)) throw new UsageError(`bad port in '${printable(text)}'`);
    port = Number(parts.port);
  }
  const hostProblem = hostNameProblem(host);
  if (hostProblem) throw bad(hostProblem);
  return { name: value, kind: 'ssh', host, user, port };
}
