/**
 * `dockhand down` on a real host that `up` provisioned from the signed test repository, pinned (so
 * held): services stopped and disabled, packages, repository and key files, and the hold gone; data
 * and group membership kept. A second `down` changes nothing. --purge-data refuses without a
 * confirmation (no terminal, no --yes), names the sizes in the plan, and with --yes deletes the data
 * (and --remove-group-members the membership). `up` afterwards installs again.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { homeWithKey, runCli } from '../harness/cli.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type TestHost } from '../harness/hosts.js';
import { importBusybox, installedVersion, twoVersionRepo, V1, type TwoVersionRepo } from '../harness/lifecycle.js';

const DOCKER_PACKAGES = ['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-buildx-plugin', 'docker-compose-plugin'];
const FILES = ['/etc/apt/sources.list.d/docker.sources', '/etc/apt/keyrings/docker.asc'];

describeHosts('dockhand down: clean removal, idempotent, then up again', () => {
  let fleet: Fleet;
  let home: string;
  let repo: TwoVersionRepo;
  let h: TestHost;
  const dockhand = (args: string[]) => runCli(fleet, home, args);
  const target = () => `deploy@${h.address}`;
  const exists = async (path: string) => (await h.exec(`test -e '${path}'`)).code === 0;
  const installedOnes = async () => (await Promise.all(DOCKER_PACKAGES.map(async (p) => ((await installedVersion(h, p)) ? p : '')))).filter(Boolean);
  const inDockerGroup = async () => (await h.sh('id -nG deploy')).split(/\s+/).includes('docker');

  beforeAll(async () => {
    fleet = await bootHosts([{ name: 'down12', suite: 'bookworm' }]);
    home = homeWithKey(fleet);
    h = fleet.host('down12');
    repo = await twoVersionRepo(fleet, h);
    const up = await dockhand(['up', ...repo.args, '--docker-version', '24.0.1', target()]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(await installedVersion(h, 'docker-ce')).toBe(V1);
    await importBusybox(h);
    await h.sh('docker run -d --name web --restart always dh-busybox sleep 1000000 >/dev/null');
  });
  afterAll(async () => {
    await repo?.close();
    await fleet?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('plan --down shows the removal; down removes services, packages, hold, repository and key; keeps data and members', async () => {
    const plan = await dockhand(['plan', '--down', target()]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('systemctl disable --now docker.socket docker.service containerd.service');
    expect(plan.stdout).toContain('apt-mark unhold docker-ce docker-ce-cli');
    expect(plan.stdout).toContain(`rm -f ${FILES.join(' ')}`);
    expect(plan.stdout).toContain('ok: kept: /var/lib/docker and /var/lib/containerd (--purge-data deletes them)');
    // The plan changed nothing.
    expect(await installedOnes()).toEqual(DOCKER_PACKAGES);

    const down = await dockhand(['down', target()]);
    expect(down.code, `${down.stdout}\n${down.stderr}`).toBe(0);
    expect(await installedOnes()).toEqual([]);
    for (const f of FILES) expect(await exists(f), f).toBe(false);
    expect((await h.sh('apt-mark showhold')).trim()).toBe('');
    expect((await h.exec('systemctl is-active docker.service docker.socket containerd.service')).stdout.split('\n').filter(Boolean)).toEqual(['inactive', 'inactive', 'inactive']);
    expect(await exists('/var/lib/docker/containers')).toBe(true);
    expect(await exists('/var/lib/containerd')).toBe(true);
    expect(await inDockerGroup()).toBe(true);
  });

  it('a second down changes nothing', async () => {
    const again = await dockhand(['down', target()]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/: 0 changed, 6 ok, 0 failed/);
    const plan = await dockhand(['plan', '--down', target()]);
    expect(plan.stdout).toContain('nothing to remove');
  });

  it('--purge-data: refused without a confirmation, sizes in the plan, then deleted with --yes (members too when asked)', async () => {
    const refused = await dockhand(['down', '--purge-data', target()]);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toContain('--purge-data deletes every image, container and volume');
    expect(await exists('/var/lib/docker/containers')).toBe(true);

    const plan = await dockhand(['plan', '--down', '--purge-data', '--remove-group-members', target()]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/deletes every image, container and volume: \/var\/lib\/docker \(\d+(\.\d)? [KMG]iB\), \/var\/lib\/containerd \(\d+(\.\d)? [KMG]?i?B\)/);
    expect(plan.stdout).toContain('gpasswd -d deploy docker');

    const purge = await dockhand(['down', '--purge-data', '--yes', '--remove-group-members', target()]);
    expect(purge.code, `${purge.stdout}\n${purge.stderr}`).toBe(0);
    expect(await exists('/var/lib/docker')).toBe(false);
    expect(await exists('/var/lib/containerd')).toBe(false);
    expect(await inDockerGroup()).toBe(false);
  });

  it('up afterwards installs again', async () => {
    const up = await dockhand(['up', ...repo.args, target()]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(await installedOnes()).toEqual(DOCKER_PACKAGES);
    for (const f of FILES) expect(await exists(f), f).toBe(true);
    const info = await h.ssh('deploy', `docker info --format '{{.Driver}}'`);
    expect(info.stdout.trim(), info.stderr).toBe('overlay2');
  });
});
