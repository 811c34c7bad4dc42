/**
 * --data-root with data in the old root, end to end on a real systemd Debian 12 host with Debian's
 * docker.io, over real SSH: a container runs from a locally imported image (no registry is
 * reachable). Without --move-data-root the plan is refused and nothing changes; with it the data is
 * moved (the container is stopped for the copy and started again), docker info shows the new root,
 * the image and the container are there, the old root is kept renamed, and the next run is
 * converged (no restart). A target that is not empty is refused. On Debian 13 with the containerd
 * image store (its engine has it), the images are the system containerd's: its root moves with the
 * data root (config.toml's top-level root), and the image is still listed.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { homeWithKey, runCli } from '../harness/cli.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type TestHost } from '../harness/hosts.js';

const target = (h: TestHost) => `deploy@${h.address}`;

/** An image made of the host's own sleep binary and its libraries (docker import, no registry). */
const IMPORT_SLEEP =
  'set -e; d=$(mktemp -d); cp -L --parents /usr/bin/sleep $(ldd /usr/bin/sleep | grep -o "/[^ ]*") "$d";' +
  ' tar -C "$d" -c . | docker import - dockhand-sleep >/dev/null';

describeHosts('--data-root with data: refused, then moved with --move-data-root', () => {
  let fleet: Fleet;
  let home: string;
  const dockhand = (args: string[]) => runCli(fleet, home, args);
  const mainPid = async (h: TestHost) => (await h.sh('systemctl show -p MainPID --value docker.service')).trim();

  beforeAll(async () => {
    fleet = await bootHosts(
      [
        { name: 'deb12', suite: 'bookworm' },
        { name: 'deb13', suite: 'trixie' },
      ],
      { image: 'docker' },
    );
    home = homeWithKey(fleet);
  });
  afterAll(async () => {
    await fleet?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('deb12: refused without --move-data-root; moved with it (image, container, volume there), then converged', async () => {
    const h = fleet.host('deb12');
    const base = await dockhand(['up', '--source', 'distro', target(h)]);
    expect(base.code, `${base.stdout}\n${base.stderr}`).toBe(0);
    const made = await h.exec(
      `${IMPORT_SLEEP}; docker volume create keepvol >/dev/null; docker run -d --name keep -v keepvol:/data dockhand-sleep /usr/bin/sleep infinity >/dev/null;` +
        ' docker run --rm -v keepvol:/data dockhand-sleep /usr/bin/sleep 0',
      { timeoutMs: 120_000 },
    );
    expect(made, made.stderr).toMatchObject({ code: 0 });
    // A file in the volume, with a hard link and an xattr: the copy must keep all three.
    const vol = (await h.sh("docker volume inspect -f '{{.Mountpoint}}' keepvol")).trim();
    await h.sh(`printf data > ${vol}/f && ln ${vol}/f ${vol}/g && setfattr -n user.dockhand -v kept ${vol}/f 2>/dev/null || true; truncate -s 64M ${vol}/sparse`);
    const before = (await h.sh("docker info --format '{{.Images}} {{.Containers}}'")).trim();
    const daemonJson = await h.sh('cat /etc/docker/daemon.json');

    const refused = await dockhand(['up', '--source', 'distro', '--data-root', '/srv/docker', target(h)]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/would leave \d+ image\(s\) and \d+ container\(s\) behind in \/var\/lib\/docker/);
    expect(refused.stderr).toContain('--move-data-root');
    expect(await h.sh('cat /etc/docker/daemon.json')).toBe(daemonJson);
    expect((await h.sh('test -e /srv/docker && echo there || echo absent')).trim()).toBe('absent');

    // A copy that fails half-way (a filesystem out of inodes: df says there is room): rolled back, the
    // old daemon.json kept, docker and the container running on the old root.
    const pid0 = await mainPid(h);
    await h.sh('mkdir -p /srv/tiny && mount -t tmpfs -o size=512m,nr_inodes=40 tmpfs /srv/tiny');
    const failed = await dockhand(['up', '--source', 'distro', '--data-root', '/srv/tiny/docker', '--move-data-root', target(h)]);
    expect(failed.code, `${failed.stdout}\n${failed.stderr}`).not.toBe(0);
    expect(`${failed.stdout}\n${failed.stderr}`).toContain('the data root was not moved: docker runs on /var/lib/docker again');
    expect(await h.sh('cat /etc/docker/daemon.json')).toBe(daemonJson);
    expect((await h.sh("docker info --format '{{.DockerRootDir}}'")).trim()).toBe('/var/lib/docker');
    expect(await mainPid(h)).not.toBe(pid0);
    expect((await h.sh("docker inspect -f '{{.State.Running}}' keep")).trim()).toBe('true');
    expect((await h.sh("docker info --format '{{.Images}} {{.Containers}}'")).trim()).toBe(before);
    await h.sh('umount /srv/tiny && rmdir /srv/tiny');

    // An interrupted copy of an earlier run (its marker) is cleared and redone; anything else there is not dockhand's.
    await h.sh('mkdir -p /srv/docker && touch /srv/docker/.dockhand-move-incomplete /srv/docker/partial');
    const plan = await dockhand(['plan', '--source', 'distro', '--data-root', '/srv/docker', '--move-data-root', target(h)]);
    expect(plan.stdout).toContain('holds an interrupted copy of an earlier run');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('moves the data root /var/lib/docker → /srv/docker');
    expect(plan.stdout).toContain('stops 1 running container');
    expect(plan.stdout).toContain('live-restore cannot keep containers across a data-root change');
    expect(plan.stdout).toContain('/var/lib/docker.dockhand-moved-<UTC time>');

    const t0 = Date.now();
    const up = await dockhand(['up', '--source', 'distro', '--data-root', '/srv/docker', '--move-data-root', target(h)]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    console.log(`move took ${Date.now() - t0} ms`);
    expect((await h.sh("docker info --format '{{.DockerRootDir}}'")).trim()).toBe('/srv/docker');
    expect((await h.sh("docker info --format '{{.Images}} {{.Containers}}'")).trim()).toBe(before);
    expect((await h.sh('docker images -q dockhand-sleep')).trim()).not.toBe('');
    const state = await h.sh("docker inspect -f '{{.State.Running}} {{.State.ExitCode}} {{.State.Error}}' keep");
    expect(state.trim(), `${state}\n${up.stdout}\n${up.stderr}`).toBe('true 0');
    const newVol = (await h.sh("docker volume inspect -f '{{.Mountpoint}}' keepvol")).trim();
    expect(newVol.startsWith('/srv/docker/')).toBe(true);
    expect((await h.sh(`cat ${newVol}/f; stat -c ' %h' ${newVol}/f`)).trim()).toBe('data 2');
    // Sparse: 64 MiB long, (nearly) no blocks.
    expect(Number((await h.sh(`du -k ${newVol}/sparse | cut -f1`)).trim())).toBeLessThan(1024);
    expect((await h.sh('ls -d /var/lib/docker.dockhand-moved-* && test ! -e /var/lib/docker && echo gone')).trim()).toMatch(/dockhand-moved-\d{8}T\d{6}Z\ngone$/);
    expect((await h.sh('test -e /srv/docker/.dockhand-move-incomplete || test -e /srv/docker/partial && echo left || echo none')).trim()).toBe('none');

    const pid = await mainPid(h);
    const again = await dockhand(['plan', '--source', 'distro', '--data-root', '/srv/docker', '--move-data-root', target(h)]);
    expect(again.stdout).toContain('converged: nothing to do');
    const up2 = await dockhand(['up', '--source', 'distro', '--data-root', '/srv/docker', '--move-data-root', target(h)]);
    expect(up2.code, up2.stderr).toBe(0);
    expect(await mainPid(h)).toBe(pid);

    // A target that is not empty is refused, and nothing changes.
    await h.sh('mkdir -p /srv/other && touch /srv/other/someone-elses');
    const busy = await dockhand(['plan', '--source', 'distro', '--data-root', '/srv/other', '--move-data-root', target(h)]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain('/srv/other is not empty (1 entries)');
  });

  it('deb13, containerd image store: the system containerd root follows the data root, the image is still there, then converged', async () => {
    const h = fleet.host('deb13');
    const flags = ['--source', 'distro', '--image-store', 'containerd'];
    const base = await dockhand(['up', ...flags, target(h)]);
    expect(base.code, `${base.stdout}\n${base.stderr}`).toBe(0);
    expect(await h.sh("docker info --format '{{.DriverStatus}}'")).toContain('io.containerd.snapshotter.v1');
    const made = await h.exec(`${IMPORT_SLEEP}; docker run -d --name keep dockhand-sleep /usr/bin/sleep infinity >/dev/null`, { timeoutMs: 120_000 });
    expect(made, made.stderr).toMatchObject({ code: 0 });
    const image = (await h.sh('docker images -q dockhand-sleep')).trim();
    expect(image).not.toBe('');
    const configBefore = await h.sh('cat /etc/containerd/config.toml');

    const plan = await dockhand(['plan', ...flags, '--data-root', '/srv/docker', '--move-data-root', target(h)]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("its root moves too: /var/lib/containerd → /srv/docker/system-containerd");
    const up = await dockhand(['up', ...flags, '--data-root', '/srv/docker', '--move-data-root', target(h)]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect((await h.sh("docker info --format '{{.DockerRootDir}}'")).trim()).toBe('/srv/docker');
    expect((await h.sh('docker images -q dockhand-sleep')).trim()).toBe(image);
    const state = await h.sh("docker inspect -f '{{.State.Running}} {{.State.Error}}' keep");
    expect(state.trim(), `${state}\n${up.stdout}\n${up.stderr}`).toBe('true');
    // config.toml: the top-level root added, every line of Debian's file kept.
    const config = await h.sh('cat /etc/containerd/config.toml');
    expect(config).toContain('root = "/srv/docker/system-containerd"');
    for (const line of configBefore.split('\n').filter(Boolean)) expect(config).toContain(line);
    expect(await h.sh('ls -l /proc/$(systemctl show -p MainPID --value containerd.service)/fd')).toContain('/srv/docker/system-containerd/io.containerd.metadata.v1.bolt/meta.db');
    expect((await h.sh('ls -d /var/lib/containerd.dockhand-moved-* /var/lib/docker.dockhand-moved-* | wc -l')).trim()).toBe('2');
    // The image runs from the moved store.
    const run = await h.exec('docker run --rm dockhand-sleep /usr/bin/sleep 0', { timeoutMs: 60_000 });
    expect(run, run.stderr).toMatchObject({ code: 0 });

    const again = await dockhand(['plan', ...flags, '--data-root', '/srv/docker', '--move-data-root', target(h)]);
    expect(again.stdout).toContain('converged: nothing to do');
  });
});
