import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectError, type ConnectFailure } from '../../src/core/errors.js';
import { createLogger, silentLogger } from '../../src/core/log.js';
import { openTransport } from '../../src/transport/open.js';
import type { ConnectOptions, TargetSpec, Transport } from '../../src/transport/types.js';
import { freePort, makeKey, startSshd, tempKnownHosts, type Sshd } from '../harness/sshd.js';

let sshd: Sshd;
let kh: ReturnType<typeof tempKnownHosts>;
let t: Transport;
let work: string;

const spec = (over: Partial<TargetSpec> = {}): TargetSpec => ({
  name: 'test-host',
  kind: 'ssh',
  host: sshd.host,
  port: sshd.port,
  user: sshd.user,
  identityFiles: [sshd.clientKeyPath],
  ...over,
});
const options = (over: Partial<ConnectOptions> = {}): ConnectOptions => ({
  hostKeyPolicy: 'strict',
  knownHostsFile: kh.file,
  connectTimeoutMs: 10_000,
  commandTimeoutMs: 30_000,
  useSshConfig: false,
  ...over,
});

async function connectFailure(s: TargetSpec, o: ConnectOptions): Promise<ConnectError> {
  const err = await openTransport(s, o, silentLogger).then(
    (tr) => {
      void tr.close();
      throw new Error('connected but should not have');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectError);
  return err as ConnectError;
}

beforeAll(async () => {
  delete process.env.SSH_AUTH_SOCK; // only the keys each test names
  sshd = await startSshd();
  kh = tempKnownHosts([sshd.knownHostsLine()]);
  work = mkdtempSync(join(tmpdir(), 'dockhand-ssh-work-'));
  t = await openTransport(spec(), options(), silentLogger);
});

afterAll(async () => {
  await t?.close();
  await sshd?.stop();
  kh?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('SSH exec against a real sshd', () => {
  it('returns stdout, stderr and the exit code', async () => {
    const r = await t.exec('echo out; echo err >&2; exit 3');
    expect(r).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('runs under /bin/sh with stdin empty unless given', async () => {
    expect((await t.exec('cat | wc -c')).stdout.trim()).toBe('0');
    const r = await t.exec('cat', { stdin: 'héllo\nworld' });
    expect(r.stdout).toBe('héllo\nworld');
  });

  it('sets env inside the command', async () => {
    const r = await t.exec('printf %s "$GREETING"', { env: { GREETING: "it's $HOME `x`" } });
    expect(r.stdout).toBe("it's $HOME `x`");
  });

  it('reports a killed command as code null with the signal', async () => {
    const r = await t.exec('kill -KILL $$');
    expect(r.code).toBeNull();
    expect(r.signal).toBe('SIGKILL');
  });

  it('times out a long command', async () => {
    const started = Date.now();
    const r = await t.exec('sleep 20', { timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(r.code).toBeNull();
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('streams output through onOutput', async () => {
    const chunks: string[] = [];
    await t.exec('echo a; echo b >&2', { onOutput: (c, s) => chunks.push(`${s}:${c}`) });
    expect(chunks.join('')).toContain('stdout:a\n');
    expect(chunks.join('')).toContain('stderr:b\n');
  });

  it('runs many commands at once on one connection (more than MaxSessions)', async () => {
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => t.exec(`echo ${i}`)));
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 25 }, (_, i) => String(i)));
    // All on one connection: one sshd process serves every session of a connection.
    const ppids = await Promise.all(Array.from({ length: 10 }, () => t.exec('echo $PPID')));
    expect(new Set(ppids.map((r) => r.stdout)).size).toBe(1);
  });

  it('sudo is a no-op for root', async () => {
    const r = await t.exec('id -u', { sudo: true });
    expect(r).toMatchObject({ code: 0, stdout: '0\n', stderr: '' });
  });

  it('writes a file atomically with mode, leaving no temp file', async () => {
    const path = join(work, 'daemon.json');
    writeFileSync(path, 'old');
    await t.writeFile(path, '{"a": 1}\n', { mode: 0o640, owner: 'root:root' });
    expect(readFileSync(path, 'utf8')).toBe('{"a": 1}\n');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    const bin = Buffer.from([0, 1, 2, 255, 254]);
    await t.writeFile(join(work, 'bin'), bin, { sudo: true });
    expect(readFileSync(join(work, 'bin')).equals(bin)).toBe(true);
    expect(statSync(join(work, 'bin')).mode & 0o777).toBe(0o644);
    const r = await t.exec(`ls -A ${work}`);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['bin', 'daemon.json']);
  });

  it('a failed write names the path and leaves nothing behind', async () => {
    await expect(t.writeFile(join(work, 'missing-dir', 'f'), 'x')).rejects.toThrow(/missing-dir/);
    await expect(t.writeFile(join(work, 'g'), 'x', { owner: 'no-such-user-xyz' })).rejects.toThrow(/command failed/);
    expect((await t.exec(`ls -A ${work}`)).stdout).not.toMatch(/dockhand/);
  });

  it('reconnect opens a new connection', async () => {
    const before = (await t.exec('echo $PPID')).stdout;
    await t.reconnect();
    const after = (await t.exec('echo $PPID')).stdout;
    expect(after).not.toBe(before);
  });

  it('--verbose echoes each command with the become password masked', async () => {
    let logged = '';
    const stream = { write: (s: string) => ((logged += s), true) } as unknown as NodeJS.WritableStream;
    const tr = await openTransport(spec(), options({ becomePassword: 'hunter2-secret' }), createLogger({ verbose: true, stream }));
    try {
      await tr.exec('echo hunter2-secret >/dev/null; true', { sudo: true });
      expect(logged).toContain('[test-host] $ ');
      expect(logged).toContain('********');
      expect(logged).not.toContain('hunter2-secret');
    } finally {
      await tr.close();
    }
  });
});

describe('SSH connect failures', () => {
  const cases: Array<[string, () => Promise<[TargetSpec, ConnectOptions]>, ConnectFailure, RegExp]> = [
    [
      'auth: key not authorized',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'dockhand-key-'));
        const key = join(dir, 'other');
        makeKey(key);
        return [spec({ identityFiles: [key] }), options()];
      },
      'auth',
      /authentication failed/,
    ],
    ['refused: nothing listens', async () => [spec({ port: await freePort() }), options()], 'refused', /refused/],
    ['dns: unknown name', async () => [spec({ host: 'no-such-host.invalid' }), options()], 'dns', /resolve/],
  ];
  it.each(cases)('%s', async (_name, make, failure, message) => {
    const [s, o] = await make();
    const err = await connectFailure(s, o);
    expect(err.failure).toBe(failure);
    expect(err.message).toMatch(message);
    expect(err.hint).toBeTruthy();
  });

  it('timeout: a server that never speaks SSH', async () => {
    const { createServer } = await import('node:net');
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as { port: number }).port;
    try {
      const err = await connectFailure(spec({ port }), options({ connectTimeoutMs: 700 }));
      expect(err.failure).toBe('timeout');
    } finally {
      silent.close();
    }
  });
});
