/**
 * The probe against a staged Docker host, built inside a private mount + PID namespace so that
 * nothing on this machine changes: tmpfs over /etc/docker, /run, /var/lib/dpkg, the apt source and
 * key directories and /etc/modules-load.d; a Docker root in a temp dir with images and containers; a
 * real unix socket; a process named dockerd; a real lock held on dpkg's lock-frontend.
 * Then the probe runs as root and as uid 65534 and the facts must match what was staged.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProbeOutput } from '../../src/facts/parse.js';
import { factsProbeScript } from '../../src/facts/probe.js';
import type { Facts } from '../../src/facts/types.js';

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const canStage =
  process.getuid?.() === 0 &&
  ['unshare', 'setpriv', 'flock', 'mount'].every(has) &&
  spawnSync('unshare', ['--mount', '--pid', '--fork', '--mount-proc', 'true']).status === 0;

/** Filesystem magic numbers (statfs f_type) for the types we can name independently of findmnt. */
const FS_MAGIC: Record<number, string> = { 0xef53: 'ext4', 0x01021994: 'tmpfs', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x794c7630: 'overlay' };

// Runs as root inside the namespaces; $1 is the staging directory.
const STAGE = `
set -e
T=$1
mount -t tmpfs dockhand-test /etc/docker
cp "$T/daemon.json" /etc/docker/daemon.json
mount -t tmpfs dockhand-test "$(readlink -f /var/run)"
: > /var/run/docker.sock
mount --bind "$T/docker.sock" /var/run/docker.sock
mount -t tmpfs dockhand-test /var/lib/dpkg
: > /var/lib/dpkg/lock-frontend
# A dpkg run cut short leaves its journal in updates/ (issue 8 Found #6).
mkdir /var/lib/dpkg/updates && : > /var/lib/dpkg/updates/0001
mount -t tmpfs dockhand-test /etc/apt/sources.list.d
cp "$T"/apt/* /etc/apt/sources.list.d/
mount -t tmpfs dockhand-test /etc/apt/trusted.gpg.d
: > /etc/apt/trusted.gpg.d/docker.gpg
mount -t tmpfs dockhand-test /etc/modules-load.d
echo overlay > /etc/modules-load.d/docker.conf
flock /var/lib/dpkg/lock-frontend sleep 60 &
"$T/bin/dockerd" 60 &
while flock -n /var/lib/dpkg/lock-frontend true; do sleep 0.05; done
sh -c "$PROBE" > "$T/root.out"
setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "$PROBE" > "$T/nobody.out"
# Leaving the PID namespace ends flock and the fake dockerd; the mounts vanish with the namespace.
`;

describe.runIf(canStage)('the probe on a staged Docker host (private namespaces)', () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'dockhand-facts-stage-'));
  const root = join(dir, 'root');
  let server: Server;
  let asRoot: Facts;
  let asNobody: Facts;
  const dockerGid = Number(spawnSync('getent', ['group', 'docker'], { encoding: 'utf8' }).stdout.split(':')[2] ?? 0) || 0;

  beforeAll(async () => {
    chmodSync(dir, 0o711); // traversable like /var/lib, so uid 65534 can see that the root exists
    writeFileSync(join(dir, 'daemon.json'), JSON.stringify({ 'data-root': root, 'log-level': 'warn' }, null, 2) + '\n');
    for (const d of ['overlay2/l', 'vfs', 'image/overlay2/imagedb/content/sha256', 'containers/c1', 'containers/c2', 'containers/c3']) {
      mkdirSync(join(root, d), { recursive: true });
    }
    for (const img of ['a1', 'b2']) writeFileSync(join(root, 'image/overlay2/imagedb/content/sha256', img), '{}');
    chmodSync(root, 0o710); // as dockerd leaves it: root-only listing
    mkdirSync(join(dir, 'apt'));
    writeFileSync(join(dir, 'apt', 'docker.list'), 'deb [signed-by=/etc/apt/keyrings/docker.asc] https://download.docker.com/linux/debian bookworm stable\n');
    writeFileSync(join(dir, 'apt', 'mirror.list'), 'deb https://artifacts.example/docker-remote/linux/debian bookworm stable\n');
    writeFileSync(join(dir, 'apt', 'unrelated.list'), 'deb https://example.org/debian bookworm main\n');
    mkdirSync(join(dir, 'bin'));
    copyFileSync(execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim(), join(dir, 'bin', 'dockerd'));
    chmodSync(join(dir, 'bin', 'dockerd'), 0o755);
    server = createServer();
    await new Promise<void>((resolve) => server.listen(join(dir, 'docker.sock'), resolve));
    chownSync(join(dir, 'docker.sock'), 0, dockerGid);
    chmodSync(join(dir, 'docker.sock'), 0o660);

    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', '--pid', '--fork', '--mount-proc', 'sh', '-c', STAGE, 'stage', dir], {
      encoding: 'utf8',
      env: { ...process.env, PROBE: factsProbeScript() },
      timeout: 60_000,
    });
    if (r.status !== 0) throw new Error(`staging failed (${r.status}): ${r.stderr}`);
    asRoot = parseProbeOutput('staged', readFileSync(join(dir, 'root.out'), 'utf8'));
    asNobody = parseProbeOutput('staged-nobody', readFileSync(join(dir, 'nobody.out'), 'utf8'));
  });

  afterAll(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads daemon.json and follows its data-root', () => {
    expect(asRoot.daemonJson.content).toBe(readFileSync(join(dir, 'daemon.json'), 'utf8'));
    expect(asRoot.dockerRoot.path).toBe(root);
    expect(asRoot.dockerRoot.exists).toBe(true);
    const magic = FS_MAGIC[Number(statfsSync(root).type)];
    if (magic) expect(asRoot.dockerRoot.fsType).toBe(magic);
  });

  it('counts images and containers and names drivers with data (root)', () => {
    expect(asRoot.dockerRoot).toMatchObject({ driversWithData: ['overlay2'], imageCount: 2, containerCount: 3 });
  });

  it('leaves counts unknown when the Docker root cannot be listed (uid 65534)', () => {
    expect(asNobody.dockerRoot).toMatchObject({ path: root, exists: true, driversWithData: [], imageCount: undefined, containerCount: undefined });
  });

  it('stats the socket for root and for an unprivileged user', () => {
    for (const f of [asRoot, asNobody]) {
      expect(f.socket).toMatchObject({ path: '/var/run/docker.sock', exists: true, type: 'socket', uid: 0, gid: dockerGid, mode: 0o660 });
    }
  });

  it('finds the running dockerd and its command line', () => {
    expect(asRoot.dockerd?.cmdline).toBe(`${join(dir, 'bin', 'dockerd')} 60`);
    expect(asNobody.dockerd?.pid).toBe(asRoot.dockerd?.pid);
  });

  it('names the holder of the dpkg frontend lock, even without root', () => {
    for (const f of [asRoot, asNobody]) {
      expect(f.locks).toEqual([{ path: '/var/lib/dpkg/lock-frontend', pid: expect.any(Number), command: 'flock' }]);
    }
  });

  it('lists Docker apt sources (by name and by repo path) and legacy keys', () => {
    expect(asRoot.aptSources!.files.map((f) => f.path).sort()).toEqual(['/etc/apt/sources.list.d/docker.list', '/etc/apt/sources.list.d/mirror.list']);
    expect(asRoot.aptSources!.legacyKeys).toEqual(['/etc/apt/trusted.gpg.d/docker.gpg']);
  });

  it('sees overlay persisted in modules-load.d', () => {
    expect(asRoot.overlay.persisted).toBe(true);
  });

  it('sees an interrupted dpkg run (pending journal in /var/lib/dpkg/updates), even without root', () => {
    expect(asRoot.dpkgInterrupted).toBe(true);
    expect(asNobody.dpkgInterrupted).toBe(true);
  });

  it('treats an unreadable dpkg database as no packages rather than failing', () => {
    expect(asRoot.packages).toEqual({});
    expect(asRoot.packageManager).toBe('apt');
  });
});
