/**
 * Connection pacing against a real OpenSSH server that refuses connections beyond `MaxStartups 3`
 * unauthenticated ones (a small stand-in for the default 10:30:100 or a busy jump host). Twelve hosts,
 * all behind that one sshd, reached with the system ssh client: with the fleet's pacing every host
 * gets in; with pacing switched off the same sshd turns connections away. The stand-in opener paces
 * through the run's `pace` option, as the SSH transport does.
 * Runs sshd on loopback from a temp dir; changes nothing on the machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ConnectError } from '../../src/core/errors.js';
import { runFleetCommand } from '../../src/fleet/command.js';
import { TableExporter } from '../../src/fleet/export/table.js';
import { PlainProgress } from '../../src/fleet/progress/plain.js';
import type { HostEntry } from '../../src/inventory/types.js';
import type { OpenOptions } from '../../src/transport/open.js';
import type { Transport } from '../../src/transport/types.js';
import { fleetContext } from '../fixtures/fleet/context.js';
import { sshdAvailable, startSshd, type Sshd } from '../harness/sshd.js';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-fleet-sshd-'));
let sshd: Sshd | undefined;

beforeAll(async () => {
  if (!sshdAvailable()) return;
  sshd = await startSshd({ config: ['MaxStartups 3'] });
  writeFileSync(join(dir, 'known_hosts'), `${sshd.knownHostsLine()}\n`);
});

afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The system ssh client as a transport: one master connection per host (the one handshake that the
 * pacing is about), commands multiplexed over it like a real transport's sessions.
 */
function sshArgs(user: string, control: string): string[] {
  return ['-F', 'none', '-i', sshd!.clientKeyPath, '-p', String(sshd!.port), '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', '-S', control, `${user}@127.0.0.1`];
}
function ssh(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('ssh', args, { encoding: 'utf8' }, (err, stdout) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout }));
  });
}
async function openSsh(spec: { name: string }, _connect: unknown, _logger: unknown, open: OpenOptions = {}): Promise<Transport> {
  const user = sshd!.user;
  const control = join(dir, `c-${spec.name}`);
  // Through the run's pacing, keyed by the server it reaches, as the SSH transport does.
  const start = () => ssh(['-f', '-N', '-M', '-o', 'ControlPersist=60', ...sshArgs(user, control)]);
  const master = await (open.pace ? open.pace([`127.0.0.1:${sshd!.port}`], start) : start());
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

describe.skipIf(!sshdAvailable())('connection pacing against sshd MaxStartups (real sshd, real ssh)', () => {
  it('paced: all 12 hosts behind one sshd get in', async () => {
    const report = await runFleetCommand(context(), task, {
      open: openSsh as never,
      progress: new PlainProgress(sink(), Date.now),
      exporter: new TableExporter(sink()),
      fleet: { maxConnectStarts: 2, connectStartsPerSecond: 40 },
    });
    expect(report.hosts.map((h) => h.outcome)).toEqual(Array(12).fill('ok'));
    expect(report.exitCode).toBe(0);
  });

  it('unpaced: the same sshd refuses some of 12 simultaneous starts (what pacing prevents)', async () => {
    const report = await runFleetCommand(context(), task, {
      open: openSsh as never,
      progress: new PlainProgress(sink(), Date.now),
      exporter: new TableExporter(sink()),
      fleet: { maxConnectStarts: 12, connectStartsPerSecond: Infinity },
    });
    const unreachable = report.hosts.filter((h) => h.outcome === 'unreachable');
    expect(unreachable.length).toBeGreaterThan(0);
    expect(report.exitCode).toBe(4);
  });
});
