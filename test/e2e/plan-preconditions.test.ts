/**
 * Plans that hold (issue 8, Found #8), on a real systemd Debian host over real SSH: what no step can
 * provide fails the host in the plan (exit 2, the reason and the fix), and `up` changes nothing —
 * asserted by comparing the host's whole package list and its apt/docker config before and after.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { homeWithKey, runCli } from '../harness/cli.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type TestHost } from '../harness/hosts.js';

describeHosts('plans that hold on a real Debian host', () => {
  let fleet: Fleet;
  let home: string;
  let h: TestHost;
  const dockhand = (args: string[]) => runCli(fleet, home, args);
  // Everything `up` would touch first: packages (remove-conflicts/packages), apt sources, /etc/docker, groups.
  const hostState = () =>
    h.sh(
      "dpkg-query -W -f='${Package} ${Version} ${db:Status-Abbrev}\\n' | sort; ls -la /etc/apt/sources.list.d /etc/apt/keyrings 2>&1; ls -la /etc/docker 2>&1; getent group docker || echo no-docker-group",
    );

  beforeAll(async () => {
    fleet = await bootHosts([{ name: 'deb12', suite: 'bookworm' }]);
    home = homeWithKey(fleet);
    h = fleet.host('deb12');
  });
  afterAll(async () => {
    await fleet?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('plan as a user without sudo exits 2 naming the reason and the fix (no "(as root)" plan)', async () => {
    const res = await dockhand(['plan', '--source', 'distro', `plain@${h.address}`]);
    expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(2);
    expect(res.stderr).toMatch(/steps must run as root, but plain is not root and sudo asks for a password/);
    expect(res.stderr).toContain('--ask-become-pass');
    expect(res.stdout).not.toContain('(as root)');
  });

  it('up --users root,nosuchuser as deploy exits 2 before anything changes on the host', async () => {
    const before = await hostState();
    const res = await dockhand(['up', '--source', 'distro', '--users', 'root,nosuchuser', '-H', `deploy@${h.address}`]);
    expect(res.code, `${res.stdout}\n${res.stderr}`).toBe(2);
    expect(res.stderr).toMatch(/user nosuchuser does not exist on the host/);
    expect(res.stderr).toMatch(/useradd/);
    expect(await hostState()).toBe(before);
    // The same plan with a real user holds (the check is about the user, not about deploy's rights).
    const ok = await dockhand(['plan', '--show-commands', '--source', 'distro', '--users', 'root,deploy', '-H', `deploy@${h.address}`]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('usermod -aG docker deploy');
  });
});
