/**
 * Daemon settings end to end on real systemd Debian hosts with Debian's docker.io, over real SSH:
 * a container runs from a locally imported image (no registry is reachable) while the settings
 * change. A registry mirror and live-restore arrive by reload (same dockerd PID, the container keeps
 * running, docker info shows them); log rotation needs a restart, which happens once (live-restore
 * keeps the container up) and the next run is converged; a switch to the containerd image store is
 * refused while an image exists and, when allowed, verified from docker info; --data-root moves an
 * empty host's root and Docker works there.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { homeWithKey, runCli } from '../harness/cli.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type TestHost } from '../harness/hosts.js';

const target = (h: TestHost) => `deploy@${h.address}`;
/** A loopback mirror: the daemon does not contact it until a pull (none happens here). */
const MIRROR = 'http://127.0.0.1:5000';

/** An image made of the host's own sleep binary and its libraries (docker import, no registry). */
const IMPORT_SLEEP =
  'set -e; d=$(mktemp -d); cp -L --parents /usr/bin/sleep $(ldd /usr/bin/sleep | grep -o "/[^ ]*") "$d";' +
  ' tar -C "$d" -c . | docker import - dockhand-sleep >/dev/null';

describeHosts('daemon settings on real Debian hosts', () => {
  let fleet: Fleet;
  let home: string;
  const dockhand = (args: string[]) => runCli(fleet, home, args);
  const mainPid = async (h: TestHost) => (await h.sh('systemctl show -p MainPID --value docker.service')).trim();
  const containerPid = async (h: TestHost) => (await h.sh("docker inspect -f '{{.State.Running}} {{.State.Pid}}' keep")).trim();

  beforeAll(async () => {
    fleet = await bootHosts(
      [
        { name: 'deb13', suite: 'trixie' },
        { name: 'deb12', suite: 'bookworm' },
      ],
      { image: 'docker' },
    );
    home = homeWithKey(fleet);
  });
  afterAll(async () => {
    await fleet?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('deb13: mirror + live-restore by reload, log rotation by one restart, then converged', async () => {
    const h = fleet.host('deb13');
    const base = await dockhand(['up', '--source', 'distro', target(h)]);
    expect(base.code, `${base.stdout}\n${base.stderr}`).toBe(0);
    const imported = await h.exec(`${IMPORT_SLEEP}; docker run -d --name keep dockhand-sleep /usr/bin/sleep infinity >/dev/null`, { timeoutMs: 120_000 });
    expect(imported, imported.stderr).toMatchObject({ code: 0 });
    const pid0 = await mainPid(h);
    const c0 = await containerPid(h);
    expect(c0).toMatch(/^true \d+$/);

    const reloadFlags = ['--registry-mirror', MIRROR, '--live-restore'];
    const dry = await dockhand(['plan', '--source', 'distro', ...reloadFlags, target(h)]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('reload docker (live-restore, registry-mirrors apply on SIGHUP');
    expect(dry.stdout).not.toContain('restart docker');
    const reload = await dockhand(['up', '--source', 'distro', ...reloadFlags, target(h)]);
    expect(reload.code, `${reload.stdout}\n${reload.stderr}`).toBe(0);
    expect(await mainPid(h)).toBe(pid0);
    expect(await containerPid(h)).toBe(c0);
    expect((await h.sh("docker info --format '{{json .RegistryConfig.Mirrors}} {{.LiveRestoreEnabled}}'")).trim()).toBe(`["${MIRROR}/"] true`);

    const logFlags = [...reloadFlags, '--log-max-size', '10m', '--log-max-file', '3'];
    const plan = await dockhand(['plan', '--source', 'distro', ...logFlags, target(h)]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('restart docker once (log-opts.max-size, log-opts.max-file need a restart)');
    expect(plan.stdout).toContain('1 running container keeps running (live-restore)');
    expect(plan.stdout).toContain('SIGHUP does not reload them');
    expect(plan.stdout).toContain('1 running container keeps the log config it was created with (json-file without max-size: unbounded');
    const restart = await dockhand(['up', '--source', 'distro', ...logFlags, target(h)]);
    expect(restart.code, `${restart.stdout}\n${restart.stderr}`).toBe(0);
    const pid1 = await mainPid(h);
    expect(pid1).not.toBe(pid0);
    // live-restore: the container process survived the daemon's restart.
    expect(await containerPid(h)).toBe(c0);
    const cfg = JSON.parse(await h.sh('cat /etc/docker/daemon.json'));
    expect(cfg).toMatchObject({ 'storage-driver': 'overlay2', 'live-restore': true, 'log-opts': { 'max-size': '10m', 'max-file': '3' } });
    // New containers get the rotation.
    const logCfg = await h.sh("docker run -d --name fresh dockhand-sleep /usr/bin/sleep 1 >/dev/null && docker inspect -f '{{json .HostConfig.LogConfig.Config}}' fresh");
    expect(JSON.parse(logCfg)).toEqual({ 'max-file': '3', 'max-size': '10m' });

    const again = await dockhand(['plan', '--source', 'distro', ...logFlags, target(h)]);
    expect(again.stdout).toContain('converged: nothing to do');
    const up2 = await dockhand(['up', '--source', 'distro', ...logFlags, target(h)]);
    expect(up2.code, up2.stderr).toBe(0);
    expect(await mainPid(h)).toBe(pid1);
  });

  it('deb13: the containerd image store is refused while an image exists, then chosen and verified when allowed', async () => {
    const h = fleet.host('deb13');
    const before = await h.sh('cat /etc/docker/daemon.json');
    const refused = await dockhand(['plan', '--source', 'distro', '--image-store', 'containerd', target(h)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/switching the image store to containerd would hide \d+ image\(s\) and \d+ container\(s\)/);
    expect(refused.stderr).toContain('--allow-storage-switch');
    expect(await h.sh('cat /etc/docker/daemon.json')).toBe(before);

    // Debian 13's docker.io (26.1) has the containerd image store (Engine 24+).
    const version = (await h.sh("docker version --format '{{.Server.Version}}'")).trim();
    expect(Number(version.split('.')[0])).toBeGreaterThanOrEqual(24);
    await h.sh('docker rm -f keep fresh >/dev/null 2>&1 || true');
    const up = await dockhand(['up', '--source', 'distro', '--image-store', 'containerd', '--allow-storage-switch', target(h)]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(await h.sh("docker info --format '{{.DriverStatus}}'")).toContain('io.containerd.snapshotter.v1');
    // The overlay2 store's image is hidden, not gone: the containerd store starts empty.
    expect((await h.sh('docker images -q dockhand-sleep')).trim()).toBe('');
    const again = await dockhand(['plan', '--source', 'distro', '--image-store', 'containerd', target(h)]);
    expect(again.stdout).toContain('converged: nothing to do');
  });

  it('deb12: --data-root on an empty host moves the root, and Docker works there', async () => {
    const h = fleet.host('deb12');
    const base = await dockhand(['up', '--source', 'distro', target(h)]);
    expect(base.code, `${base.stdout}\n${base.stderr}`).toBe(0);
    const up = await dockhand(['up', '--source', 'distro', '--data-root', '/srv/docker', target(h)]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect((await h.sh("docker info --format '{{.DockerRootDir}}'")).trim()).toBe('/srv/docker');
    const run = await h.exec(`${IMPORT_SLEEP}; docker run --rm dockhand-sleep /usr/bin/sleep 0`, { timeoutMs: 120_000 });
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(await h.sh('ls /srv/docker')).toContain('overlay2');
    // Now the new root holds data: moving it again is refused.
    const move = await dockhand(['plan', '--source', 'distro', '--data-root', '/srv/docker2', target(h)]);
    expect(move.code).toBe(2);
    expect(move.stderr).toMatch(/would leave 1 image\(s\) and 0 container\(s\) behind in \/srv\/docker/);
  });
});
