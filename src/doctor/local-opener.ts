/**
 * The local SocketOpener: net.connect to a unix socket. Connect errors are refined with an lstat
 * so that "a directory" and "a regular file" are named as such (Linux reports both as ECONNREFUSED).
 */
import { connect, isIP, type Socket } from 'node:net';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import type { EndpointOpeners, TlsSettings } from './api.js';
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

/**
 * tcp:// from this machine, as the CLI connects: plain, or TLS with the client certificates of
 * DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem). Unreadable certificates are the CLI's error too.
 */
export async function openLocalTcp(host: string, port: number, tls: TlsSettings | undefined): Promise<Duplex> {
  if (!tls) return connected(connect({ host, port }));
  const read = async (name: string) => {
    try {
      return await readFile(join(tls.certPath, name));
    } catch (err) {
      throw Object.assign(new Error(`cannot read ${join(tls.certPath, name)}: ${(err as Error).message}`), { code: 'TLS' });
    }
  };
  // Read together, but reported in a fixed order (ca, cert, key), as the CLI does: with several
  // missing, which read fails first is otherwise a race.
  const settled = tls.verify ? await Promise.allSettled([read('ca.pem'), read('cert.pem'), read('key.pem')]) : [];
  const failed = settled.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
  if (failed) throw failed.reason;
  const [ca, cert, key] = settled.map((r) => (r as PromiseFulfilledResult<Buffer>).value);
  const { connect: tlsConnect } = await import('node:tls');
  return connected(tlsConnect({ host, port, ca, cert, key, rejectUnauthorized: tls.verify, servername: isIP(host) ? undefined : host }), 'secureConnect');
}

function connected(sock: Socket, event = 'connect'): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      sock.destroy();
      reject(err);
    };
    sock.once(event, () => {
      sock.off('error', onError);
      resolve(sock);
    });
    sock.once('error', onError);
  });
}

/**
 * ssh:// as the CLI does it: `ssh … docker system dial-stdio` on the remote side, the API over the
 * child's stdin/stdout. BatchMode: never a password prompt; ConnectTimeout bounds the handshake.
 * The child dies with the stream.
 */
export async function openLocalSsh(target: { user?: string; host: string; port?: number }, timeoutMs: number): Promise<Duplex> {
  const { spawn } = await import('node:child_process');
  const secs = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  const argv = ['-o', 'BatchMode=yes', '-o', `ConnectTimeout=${secs}`, ...(target.port ? ['-p', String(target.port)] : []), '--', target.user ? `${target.user}@${target.host}` : target.host, 'docker', 'system', 'dial-stdio'];
  const child = spawn('ssh', argv, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
  // The response ends only when ssh has exited: a failing ssh (refused, host key, auth) is then
  // named in its own words instead of as a truncated HTTP response.
  const stream = new Duplex({
    read() {},
    write(chunk, _enc, cb) {
      child.stdin.write(chunk, () => cb());
    },
    final(cb) {
      child.stdin.end();
      cb();
    },
    destroy(err, cb) {
      child.kill();
      cb(err);
    },
  });
  child.stdin.on('error', () => {}); // EPIPE when ssh is gone: its exit status says why
  child.stdout.on('data', (d: Buffer) => stream.push(d));
  child.once('close', (code) => {
    if (code) stream.destroy(Object.assign(new Error(`ssh exited ${code}: ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`), { code: 'ECONNREFUSED' }));
    else stream.push(null);
  });
  child.once('error', (err) => stream.destroy(err));
  return stream;
}

/** Every endpoint form, from this machine. */
export const localOpeners: EndpointOpeners = { unix: openLocalSocket, tcp: openLocalTcp, ssh: openLocalSsh };
