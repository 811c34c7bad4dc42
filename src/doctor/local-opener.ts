/**
 * The local SocketOpener: net.connect to a unix socket. Connect errors are refined with an lstat
 * so that "a directory" and "a regular file" are named as such (Linux reports both as ECONNREFUSED).
 */
import { connect } from 'node:net';
import { lstat } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import type { SocketOpener } from './http.js';

export const openLocalSocket: SocketOpener = (path) =>
  new Promise<Duplex>((resolve, reject) => {
    const sock = connect({ path });
    sock.once('connect', () => {
      sock.off('error', onError);
      resolve(sock);
    });
    const onError = (err: NodeJS.ErrnoException) => {
      sock.destroy();
      refine(path, err).then(reject, () => reject(err));
    };
    sock.once('error', onError);
  });

async function refine(path: string, err: NodeJS.ErrnoException): Promise<NodeJS.ErrnoException> {
  if (err.code !== 'ECONNREFUSED' && err.code !== 'ENOTSOCK') return err;
  const st = await lstat(path);
  const code = st.isDirectory() ? 'EISDIR' : st.isSocket() ? err.code : 'ENOTSOCK';
  if (code === err.code) return err;
  const what = code === 'EISDIR' ? 'is a directory, not a socket' : 'is not a socket';
  return Object.assign(new Error(`connect ${code} ${path}: ${what}`), { code, path });
}
