/**
 * Connection pacing against a real OpenSSH server that refuses connections beyond `MaxStartups 3`
 * unauthenticated ones (a small stand-in for the default 10:30:100 or a busy jump host). Twelve hosts,
 * all behind that one sshd, reached with the system ssh client: with the fleet's pacing every host
 * gets in; with pacing switched off the same sshd turns connections away.
 * Runs sshd on loopback from a temp dir; changes nothing on the machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectError } from '../../src/core/errors.js';
import { runFleetCommand } from '../../src/fleet/command.js';
import { PlainProgress } from '../../src/fleet/progress.js';
import type { HostEntry } from '../../src/inventory/types.js';
import type { Transport } from '../../src/transport/types.js';
import { Writable } from 'node:stream';
import { fleetContext } from '../fixtures/fleet/context.js';

// sshd started as root needs its privilege separation directory; never create it from a test.
const canRunSshd = existsSync('/usr/sbin/sshd') && (process.getuid?.() !== 0 || existsSync('/run/sshd'));
const dir = mkdtempSync(join(tmpdir(), 'dockhand-fleet-sshd-'));
let sshd: ChildProcess | undefined;
let port = 0;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => resolve(p));
    });
  });
}

async function waitForBanner(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('data', (d) => resolve(d.toString().startsWith('SSH-') && (s.destroy(), true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error('sshd did not start');
}

beforeAll(async () => {
  if (!canRunSshd) return;
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')), { mode: 0o600 });
  port = await freePort();
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${readFileSync(join(dir, 'host_key.pub'), 'utf8')}`);
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PidFile none',
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'MaxStartups 3',
    ].join('\n') + '\n',
  );
  sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config'), '-p', String(port)], { stdio: 'ignore' });
  await waitForBanner();
});

afterAll(() => {
  sshd?.kill();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The system ssh client as a transport: one master connection per host (the one handshake that the
 * pacing is about), commands multiplexed over it like a real transport's sessions.
 */
function sshArgs(user: string, control: string): string[] {
  return ['-F', 'none', '-i', join(dir, 'client_key'), '-p', String(port), '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', '-S', control, `${user}@127.0.0.1`];
}
function ssh(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('ssh', args, { encoding: 'utf8' }, (err, stdout) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout }));
  });
}
async function openSsh(spec: { name: string }): Promise<Transport> {
  const user = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
  const control = join(dir, `c-${spec.name}`);
  const master = await ssh(['-f', '-N', '-M', '-o', 'ControlPersist=60', ...sshArgs(user, control)]);
  if (master.code !== 0) throw new ConnectError(spec.name, 'refused', `ssh could not connect (exit ${master.code})`);
  return {
    name: spec.name,
    kind: 'ssh',
    exec: async (script) => {
      const r = await ssh(['-o', 'ControlMaster=no', ...sshArgs(user, control), script]);
      return { code: r.code, stdout: r.stdout, stderr: '' };
    },
    writeFile: async () => {},
    reconnect: async () => {},
    close: async () => {
      await ssh(['-O', 'exit', ...sshArgs(user, control)]);
    },
  };
}

const hosts: HostEntry[] = Array.from({ length: 12 }, (_, i) => ({ name: `h${i + 1}`, spec: { name: `h${i + 1}`, kind: 'ssh', host: '127.0.0.1' }, groups: [], vars: {} }));
const sink = () => new (class extends Writable { override _write(_c: unknown, _e: string, done: () => void) { done(); } })();
const context = () => fleetContext(hosts, { concurrency: 12 });
const task = async (t: Transport) => {
  const r = await t.exec('echo reached');
  return { outcome: r.stdout.trim() === 'reached' ? ('ok' as const) : ('failed' as const) };
};

describe.skipIf(!canRunSshd)('connection pacing against sshd MaxStartups (real sshd, real ssh)', () => {
  it('paced: all 12 hosts behind one sshd get in', async () => {
    const report = await runFleetCommand(context(), task, {
      open: openSsh as never,
      progress: new PlainProgress(sink(), sink(), Date.now),
      fleet: { maxConnectStarts: 2, connectStartsPerSecond: 40 },
    });
    expect(report.hosts.map((h) => h.outcome)).toEqual(Array(12).fill('ok'));
    expect(report.exitCode).toBe(0);
  });

  it('unpaced: the same sshd refuses some of 12 simultaneous starts (what pacing prevents)', async () => {
    const report = await runFleetCommand(context(), task, {
      open: openSsh as never,
      progress: new PlainProgress(sink(), sink(), Date.now),
      fleet: { maxConnectStarts: 12, connectStartsPerSecond: Infinity },
    });
    const unreachable = report.hosts.filter((h) => h.outcome === 'unreachable');
    expect(unreachable.length).toBeGreaterThan(0);
    expect(report.exitCode).toBe(4);
  });
});
