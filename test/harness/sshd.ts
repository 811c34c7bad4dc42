/**
 * A real OpenSSH server on 127.0.0.1 for tests: its own config, host key, authorized_keys and client
 * key, all in a temp directory that stop() removes. Runs as the current user (root here, key-only).
 * Nothing outside the temp directory is touched, except that sshd running as root insists on its
 * privilege-separation directory /run/sshd (the package's own standard, empty directory): it is
 * created only when missing.
 *
 * Usage:  const sshd = await startSshd();  afterAll(() => sshd.stop());
 */
import { afterAll, beforeAll } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { ConnectOptions, TargetSpec } from '../../src/transport/types.js';

export interface Sshd {
  host: string;
  port: number;
  user: string;
  dir: string;
  clientKeyPath: string;
  /** `ssh-ed25519 AAAA…` of the server's host key. */
  hostKeyPublic: string;
  /** The host key blob (what ssh2 hands to a host verifier). */
  hostKeyBlob: Buffer;
  /** The known_hosts line for this server: `[127.0.0.1]:port ssh-ed25519 AAAA…`. */
  knownHostsLine(): string;
  /** sshd's own log so far (-e sends it to stderr), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** Extra lines for sshd_config. */
  config?: string[];
  /** Extra public keys to authorize besides the generated client key. */
  authorizedKeys?: string[];
}

const SSHD = '/usr/sbin/sshd';

export function sshdAvailable(): boolean {
  return existsSync(SSHD) && existsSync('/usr/bin/ssh-keygen');
}

export function makeKey(path: string, comment = 'dockhand-test'): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  return readFileSync(`${path}.pub`, 'utf8').trim();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves once the server sends its SSH banner. */
function waitForBanner(port: number, proc: ChildProcess, log: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tryOnce = () => {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        reject(new Error(`sshd exited early:\n${log()}`));
        return;
      }
      if (Date.now() > deadline) {
        reject(new Error(`sshd did not answer on port ${port}:\n${log()}`));
        return;
      }
      const sock = connect(port, '127.0.0.1');
      let got = '';
      sock.on('data', (d) => {
        got += d.toString('latin1');
        if (got.startsWith('SSH-')) {
          sock.destroy();
          resolve();
        }
      });
      sock.on('error', () => {
        sock.destroy();
        setTimeout(tryOnce, 50);
      });
      sock.on('close', () => {
        if (!got.startsWith('SSH-')) setTimeout(tryOnce, 50);
      });
    };
    tryOnce();
  });
}

export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-sshd-'));
  try {
    const hostKeyPublic = makeKey(join(dir, 'host_ed25519'), 'dockhand-test-host');
    const clientKeyPath = join(dir, 'client_ed25519');
    const clientPub = makeKey(clientKeyPath);
    writeFileSync(join(dir, 'authorized_keys'), [clientPub, ...(opts.authorizedKeys ?? [])].join('\n') + '\n', { mode: 0o600 });
    const port = await freePort();
    const configPath = join(dir, 'sshd_config');
    writeFileSync(
      configPath,
      [
        'ListenAddress 127.0.0.1',
        `Port ${port}`,
        `HostKey ${join(dir, 'host_ed25519')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PidFile none',
        'UsePAM no',
        // The temp dir's parents (/tmp is world-writable) would fail StrictModes' ownership checks.
        'StrictModes no',
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'AllowTcpForwarding yes',
        'PrintMotd no',
        ...(opts.config ?? []),
      ].join('\n') + '\n',
    );
    let logText = '';
    const proc = spawn(SSHD, ['-D', '-e', '-f', configPath, '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d: Buffer) => (logText += d.toString()));
    const log = () => logText;
    try {
      await waitForBanner(port, proc, log);
    } catch (e) {
      proc.kill('SIGKILL');
      throw e;
    }
    const hostKeyBlob = Buffer.from(hostKeyPublic.split(/\s+/)[1]!, 'base64');
    const [keyType, keyBase64] = hostKeyPublic.split(/\s+/);
    return {
      host: '127.0.0.1',
      port,
      user: userInfo().username,
      dir,
      clientKeyPath,
      hostKeyPublic: `${keyType} ${keyBase64}`,
      hostKeyBlob,
      knownHostsLine: () => `[127.0.0.1]:${port} ${keyType} ${keyBase64}`,
      log,
      stop: async () => {
        if (proc.exitCode === null && proc.signalCode === null) {
          const exited = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export interface Agent {
  socket: string;
  stop(): Promise<void>;
}

/** A real ssh-agent on a socket in its own temp dir, holding the given private keys. */
export async function startAgent(keys: string[]): Promise<Agent> {
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-agent-'));
  const socket = join(dir, 'agent.sock');
  const proc = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  const deadline = Date.now() + 5000;
  while (!existsSync(socket)) {
    if (Date.now() > deadline || proc.exitCode !== null) {
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error('ssh-agent did not start');
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const key of keys) execFileSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
  return {
    socket,
    stop: async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A known_hosts file in its own temp dir (tests never read or write the user's). */
export function tempKnownHosts(lines: string[] = []): { file: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-kh-'));
  const file = join(dir, 'known_hosts');
  if (lines.length) writeFileSync(file, lines.join('\n') + '\n');
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Connect options for tests: a temp known_hosts, short timeouts, never the user's ~/.ssh/config. */
export function testConnectOptions(knownHostsFile: string, over: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    hostKeyPolicy: 'strict',
    knownHostsFile,
    connectTimeoutMs: 10_000,
    commandTimeoutMs: 30_000,
    useSshConfig: false,
    ...over,
  };
}

/** The target spec for a harness server, logging in with its generated client key. */
export function sshdSpec(sshd: Sshd, over: Partial<TargetSpec> = {}): TargetSpec {
  return {
    name: 'test-host',
    kind: 'ssh',
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    identityFiles: [sshd.clientKeyPath],
    ...over,
  };
}

/**
 * A loopback sshd for one describe block, with a known_hosts file that trusts it: started in
 * beforeAll, stopped and removed in afterAll. Read `sshd`/`knownHosts` inside tests (set by then).
 */
export function useTrustedSshd(): { readonly sshd: Sshd; readonly knownHosts: string } {
  let sshd: Sshd | undefined;
  let kh: { file: string; cleanup(): void } | undefined;
  beforeAll(async () => {
    sshd = await startSshd();
    kh = tempKnownHosts([sshd.knownHostsLine()]);
  });
  afterAll(async () => {
    await sshd?.stop();
    kh?.cleanup();
  });
  return {
    get sshd() {
      if (!sshd) throw new Error('useTrustedSshd: read sshd inside a test, after beforeAll');
      return sshd;
    },
    get knownHosts() {
      if (!kh) throw new Error('useTrustedSshd: read knownHosts inside a test, after beforeAll');
      return kh.file;
    },
  };
}
