/**
 * Issue 15: a fleet run resolved each host's route twice (`ssh -G` for the pacing, again in the
 * transport) and paced by the name as given. Now the transport resolves once and paces its
 * handshake by the servers it really reaches (the ~/.ssh/config HostName and Port). A real sshd on
 * loopback; `ssh` on PATH is a wrapper that logs each `-G` before running the real one.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { runFleetCommand } from '../../src/fleet/command.js';
import { TableExporter } from '../../src/fleet/export/table.js';
import { PlainProgress } from '../../src/fleet/progress/plain.js';
import type { HostEntry } from '../../src/inventory/types.js';
import { openTransport } from '../../src/transport/open.js';
import type { Transport } from '../../src/transport/types.js';
import { sshdAvailable, useTrustedSshd } from '../harness/sshd.js';

const sink = () => new Writable({ write: (_c, _e, done) => done() });
const realSsh = spawnSync('sh', ['-c', 'command -v ssh'], { encoding: 'utf8' }).stdout.trim();

describe.skipIf(!sshdAvailable() || !realSsh)('route resolution and pacing of a fleet (real sshd)', () => {
  const server = useTrustedSshd();
  let dir: string;
  let savedPath: string | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dockhand-route-'));
    writeFileSync(join(dir, 'ssh'), `#!/bin/sh\nfor a; do [ "$a" = -G ] && echo "$*" >> '${dir}/calls'; done\nexec '${realSsh}' "$@"\n`);
    chmodSync(join(dir, 'ssh'), 0o755);
    savedPath = process.env.PATH;
    process.env.PATH = `${dir}:${process.env.PATH}`;
  });
  afterAll(() => {
    process.env.PATH = savedPath;
    rmSync(dir, { recursive: true, force: true });
  });

  const config = () => {
    const file = join(dir, 'config');
    // Two aliases of one sshd: what the handshakes reach is 127.0.0.1:PORT for both.
    writeFileSync(file, ['web1', 'web2'].map((h) => `Host ${h}\n  HostName ${server.sshd.host}\n  Port ${server.sshd.port}\n  User ${server.sshd.user}\n  IdentityFile ${server.sshd.clientKeyPath}\n`).join(''));
    return file;
  };
  const calls = () => (existsSync(join(dir, 'calls')) ? readFileSync(join(dir, 'calls'), 'utf8').trim().split('\n') : []);

  it('one `ssh -G` per host, and every start is paced at the resolved host:port', async () => {
    const sshConfigFile = config();
    rmSync(join(dir, 'calls'), { force: true });
    const hosts: HostEntry[] = ['web1', 'web2'].map((name) => ({ name, spec: { name, kind: 'ssh', host: name }, groups: [], vars: {} }));
    const paced: string[][] = [];
    const report = await runFleetCommand(
      {
        logger: silentLogger,
        json: false,
        hosts,
        connect: { hostKeyPolicy: 'strict', knownHostsFile: server.knownHosts, sshConfigFile, connectTimeoutMs: 10_000, commandTimeoutMs: 10_000 },
        fleet: { concurrency: 2 },
      },
      async (t: Transport) => ((await t.exec('echo reached')).stdout === 'reached\n' ? { outcome: 'ok' } : { outcome: 'failed' }),
      {
        // The real opener, with the gate's servers recorded on the way through.
        open: (spec, connect, logger, o) => openTransport(spec, connect, logger, { ...o, pace: (servers, start) => (paced.push([...servers]), o!.pace!(servers, start)) }),
        progress: new PlainProgress(sink(), Date.now),
        exporter: new TableExporter(sink()),
      },
    );
    expect(report.hosts.map((h) => h.outcome)).toEqual(['ok', 'ok']);
    expect(calls().map((c) => c.split(' ').at(-1)).sort()).toEqual(['web1', 'web2']);
    expect(paced).toEqual([[`${server.sshd.host}:${server.sshd.port}`], [`${server.sshd.host}:${server.sshd.port}`]]);
  });
});
