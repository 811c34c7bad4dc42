/**
 * A unix socket on the host over OpenSSH's streamlocal forwarding (the doctor speaks HTTP to the
 * Docker socket this way), with failures given the errno code a local connect would have had.
 */
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { shQuote } from '../../shell/quote.js';
import type { ExecOptions, ExecResult } from '../types.js';

/**
 * sshd answers every failed streamlocal connect with the same "open failed", whatever connect(2)
 * said. Ask the host, as the same login user, what is at the path, and give the error the errno
 * code a local connect would have had, so callers classify remote and local failures alike.
 */
const WHY_CONNECT_FAILED = [
  'p=$1',
  '[ -e "$p" ] || [ -L "$p" ] || { echo ENOENT; exit 0; }',
  '[ -d "$p" ] && { echo EISDIR; exit 0; }',
  '[ -S "$p" ] || { echo ENOTSOCK; exit 0; }',
  '[ -w "$p" ] || { echo EACCES; exit 0; }',
  'echo ECONNREFUSED',
].join('\n');

function streamLocalErrorCode(answer: string): string | undefined {
  const code = answer.trim();
  return ['ENOENT', 'EISDIR', 'ENOTSOCK', 'EACCES', 'ECONNREFUSED'].includes(code) ? code : undefined;
}

export function openUnixSocket(
  conn: Client,
  path: string,
  exec: (script: string, opts: ExecOptions) => Promise<ExecResult>,
): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    conn.openssh_forwardOutStreamLocal(path, (err, stream) => {
      if (!err) return resolve(stream);
      const failure: NodeJS.ErrnoException = new Error(`${path}: ${err.message}`);
      exec(`sh -c ${shQuote(WHY_CONNECT_FAILED)} sh ${shQuote(path)}`, { timeoutMs: 10_000 })
        .then((r) => {
          failure.code = streamLocalErrorCode(r.stdout);
          if (failure.code) failure.message = `${path}: ${failure.code} (${err.message})`;
        })
        .catch(() => {})
        .finally(() => reject(failure));
    });
  });
}
