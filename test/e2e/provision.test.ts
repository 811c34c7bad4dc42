/**
 * `dockhand plan` / `dockhand up` end to end on throwaway systemd Debian hosts, over real SSH as an
 * unprivileged sudoer, with packages from --source distro (docker.io). --source docker (repository,
 * key check, legacy leftovers) runs against a signed mirror in provision-docker-source.test.ts.
 *
 * Checks: a fresh host gets Docker with overlay2, the login user runs docker without sudo from a new
 * session, and a second run is converged (empty plan, no restart: dockerd keeps its PID). A pre-existing
 * daemon.json keeps its other keys and is backed up.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { homeWithKey, runCli } from '../harness/cli.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type Suite, type TestHost } from '../harness/hosts.js';

const SUITES: Array<{ name: string; suite: Suite }> = [
  { name: 'deb11', suite: 'bullseye' },
  { name: 'deb12', suite: 'bookworm' },
  { name: 'deb13', suite: 'trixie' },
];

const target = (h: TestHost) => `deploy@${h.address}`;

describeHosts('dockhand plan/up on real Debian hosts', () => {
  let fleet: Fleet;
  let home: string;

  const dockhand = (args: string[]) => runCli(fleet, home, args);

  beforeAll(async () => {
    fleet = await bootHosts(SUITES);
    home = homeWithKey(fleet);
  });
  afterAll(async () => {
    await fleet?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it.each(SUITES)('$name: a fresh host is provisioned, then converged', async ({ name }) => {
    const h = fleet.host(name);
    // An existing daemon.json with a key of its own: it must survive the merge.
    await h.sh(`mkdir -p /etc/docker && printf '%s\\n' '{ "log-level": "warn" }' > /etc/docker/daemon.json`);

    const dry = await dockhand(['plan', '--show-commands', '--source', 'distro', target(h)]);
    expect(dry.stderr).not.toMatch(/error|warning/); // progress lines only (CI: plain lines on stderr)
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^ {2}change +packages +Docker packages — /m);
    expect(dry.stdout).toContain('usermod -aG docker deploy');

    const up = await dockhand(['up', '--source', 'distro', target(h)]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(up.stdout).toMatch(/: [1-9] changed, \d ok, 0 failed/);
    expect(up.stderr).toContain('root-equivalent');

    // A new login as deploy reaches the daemon without sudo; the driver is overlay2.
    const login = await h.ssh('deploy', `docker info --format '{{.Driver}}'`);
    expect(login.stdout.trim(), login.stderr).toBe('overlay2');
    const config = JSON.parse(await h.sh('cat /etc/docker/daemon.json'));
    expect(config).toMatchObject({ 'log-level': 'warn', 'storage-driver': 'overlay2' });
    expect((await h.sh('ls /etc/docker')).split('\n').some((f) => f.startsWith('daemon.json.bak-'))).toBe(true);
    expect((await h.sh('systemctl is-enabled docker.service containerd.service')).trim().split('\n')).toEqual(['enabled', 'enabled']);

    // Second run: the plan is empty and applying it does not restart the daemon.
    const pidBefore = (await h.sh('systemctl show -p MainPID --value docker.service')).trim();
    const again = await dockhand(['plan', '--source', 'distro', target(h)]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('converged: nothing to do');
    expect(again.stdout).not.toContain('| ');
    const up2 = await dockhand(['up', '--source', 'distro', target(h)]);
    expect(up2.code, up2.stderr).toBe(0);
    expect(up2.stdout).toMatch(/: 0 changed, 9 ok, 0 failed/);
    expect((await h.sh('systemctl show -p MainPID --value docker.service')).trim()).toBe(pidBefore);
  });

  it('an invalid daemon.json stops the plan with file and line, and is left untouched', async () => {
    const h = fleet.host('deb12');
    const broken = '{\n  "log-level": "warn",\n}\n';
    await h.sh(`printf '%s' '${broken}' > /etc/docker/daemon.json`);
    const res = await dockhand(['up', '--source', 'distro', target(h)]);
    expect(res.code).toBe(65);
    expect(res.stderr).toContain('/etc/docker/daemon.json:3:1: invalid JSON');
    expect(await h.sh('cat /etc/docker/daemon.json')).toBe(broken);
  });
});

describeHosts('dockhand on a host that already runs docker.io', () => {
  let fleet: Fleet;
  let home: string;
  const dockhand = (args: string[]) => runCli(fleet, home, args);

  beforeAll(async () => {
    fleet = await bootHosts([{ name: 'dock12', suite: 'bookworm' }], { image: 'docker' });
    home = homeWithKey(fleet);
  });
  afterAll(async () => {
    await fleet?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('source docker would remove exactly the installed conflicts (plan only: no internet here)', async () => {
    const res = await dockhand(['plan', '--json', target(fleet.host('dock12'))]);
    expect(res.code, res.stderr).toBe(0);
    // JSON lines: the host event carries the plan in `data`.
    const plan = res.stdout.trimEnd().split('\n').map((l) => JSON.parse(l)).find((e) => e.event === 'host').data;
    const step = plan.steps.find((s: { id: string }) => s.id === 'remove-conflicts');
    expect(step.reason).toBe('conflicting packages installed: docker.io, containerd, runc');
  });

  it('source distro: restarts docker once for the new daemon.json, never on the converged run', async () => {
    const h = fleet.host('dock12');
    const pid = async () => (await h.sh('systemctl show -p MainPID --value docker.service')).trim();
    const before = await pid();
    const dry = await dockhand(['plan', '--show-commands', '--source', 'distro', target(h)]);
    expect(dry.stdout).toMatch(/^ {2}ok +packages +Docker packages — /m);
    expect(dry.stdout).toContain('systemctl try-restart docker.service');

    const up = await dockhand(['up', '--source', 'distro', target(h)]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const afterFirst = await pid();
    expect(afterFirst).not.toBe(before);
    expect((await h.ssh('deploy', `docker info --format '{{.Driver}}'`)).stdout.trim()).toBe('overlay2');

    const up2 = await dockhand(['up', '--source', 'distro', target(h)]);
    expect(up2.stdout).toMatch(/: 0 changed, 9 ok, 0 failed/);
    expect(await pid()).toBe(afterFirst);
  });
});
