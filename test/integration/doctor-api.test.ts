/**
 * The Docker API queries against REAL unix sockets made by this test in a temp dir: a tiny HTTP
 * server answering like dockerd (chunked /info), a plain file, a directory, a stale socket file,
 * a listener that never answers, and a socket `nobody` may not open (queried via setpriv).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { queryApi } from '../../src/doctor/api.js';
import { openLocalSocket } from '../../src/doctor/local-opener.js';
import { httpRequest } from '../../src/doctor/http.js';
import { fakeDockerd, listen } from '../fixtures/doctor/fake-dockerd.js';

const apiMain = fileURLToPath(new URL('../../dist/src/doctor/api-main.js', import.meta.url));

let dir: string;
const servers: Array<Server | NetServer> = [];
const held: Socket[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dockhand-api-'));
  chmodSync(dir, 0o755); // so `nobody` meets the socket's own mode, not the directory's
  const docker = fakeDockerd();
  await listen(docker, join(dir, 'docker.sock'));
  const podman = fakeDockerd({ podman: true });
  await listen(podman, join(dir, 'podman.sock'));
  const silent = createNetServer((sock) => held.push(sock)); // accepts, never answers
  await listen(silent, join(dir, 'hang.sock'));
  servers.push(docker, podman, silent);
  writeFileSync(join(dir, 'plain-file'), 'not a socket');
  mkdirSync(join(dir, 'a-directory'));
  // A stale socket: its listener was killed, the file stays behind.
  const stale = join(dir, 'stale.sock');
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => console.log('up'))`]);
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  expect(existsSync(stale)).toBe(true);
});

afterAll(async () => {
  for (const s of servers) if ('closeAllConnections' in s) s.closeAllConnections();
  for (const s of held) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

describe('queryApi over real unix sockets', () => {
  it('reads /_ping, /version and a chunked /info from a dockerd-like server', async () => {
    const p = await queryApi(openLocalSocket, `unix://${join(dir, 'docker.sock')}`);
    expect(p.ok).toBe(true);
    expect(p.pingStatus).toBe(200);
    expect(p.apiVersion).toBe('1.41');
    expect(p.libpodVersion).toBeUndefined();
    expect(p.version?.Version).toBe('20.10.24');
    expect(p.info?.Driver).toBe('overlay2');
    expect(p.info?.Warnings?.[0]).toHaveLength(5000);
  });

  it('sees the chunked encoding on the wire', async () => {
    const res = await httpRequest(openLocalSocket, join(dir, 'docker.sock'), '/info');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(JSON.parse(res.body).CgroupVersion).toBe('2');
  });

  it('recognises podman by the Libpod-Api-Version header', async () => {
    const p = await queryApi(openLocalSocket, `unix://${join(dir, 'podman.sock')}`);
    expect(p.ok).toBe(true);
    expect(p.libpodVersion).toBe('4.3.1');
  });

  it.each([
    ['missing', 'nothing-here.sock', 'ENOENT'],
    ['plain file', 'plain-file', 'ENOTSOCK'],
    ['directory', 'a-directory', 'EISDIR'],
    ['stale socket', 'stale.sock', 'ECONNREFUSED'],
  ])('classifies a %s as %s', async (_what, name, kind) => {
    const p = await queryApi(openLocalSocket, `unix://${join(dir, name)}`);
    expect(p.ok).toBe(false);
    expect(p.error?.kind).toBe(kind);
  });

  it('classifies a listener that never answers as a timeout', async () => {
    const p = await queryApi(openLocalSocket, `unix://${join(dir, 'hang.sock')}`, 300);
    expect(p.error?.kind).toBe('ETIMEDOUT');
  });

  it('does not try to open non-unix endpoints', async () => {
    const p = await queryApi(openLocalSocket, 'ssh://me@elsewhere');
    expect(p.error?.kind).toBe('UNSUPPORTED');
  });
});

const canSwitchUser = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;

describe.skipIf(!canSwitchUser)('a socket the checked user cannot open (probe runs as nobody via setpriv)', () => {
  // Asynchronous on purpose: the servers live in this process and must keep answering.
  const asNobody = async (endpoint: string) => {
    const { stdout } = await promisify(execFile)('setpriv', [
      '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, apiMain, endpoint,
    ]);
    return JSON.parse(stdout)[0];
  };

  it('gets a real EACCES on a 0660 root-owned socket', async () => {
    const sock = join(dir, 'docker.sock');
    chmodSync(sock, 0o660);
    expect((await asNobody(`unix://${sock}`)).error.kind).toBe('EACCES');
  });

  it('gets through once the socket allows others (control)', async () => {
    const sock = join(dir, 'podman.sock');
    chmodSync(sock, 0o666);
    const p = await asNobody(`unix://${sock}`);
    expect(p.ok).toBe(true);
    chmodSync(sock, 0o660);
  });
});
