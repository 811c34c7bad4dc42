/**
 * Rolling upgrades (`up --serial`) on a real fleet of three: every host at docker-ce 24.0.1 from the
 * signed test repository with a container (restart always) running, then rolled to 24.0.2 one host
 * at a time; each host's daemon restarts (the package's postinst, as Docker's does) and its container
 * comes back before the next host starts. Then a rollback whose gate fails on the second host (its
 * container keeps restarting): the rollout stops, the summary says who is on which version, and the
 * third host is untouched.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { homeWithKey, runCli } from '../harness/cli.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type TestHost } from '../harness/hosts.js';
import { containerState, events, importBusybox, installedVersion, twoVersionRepo, V1, V2, type TwoVersionRepo } from '../harness/lifecycle.js';

const target = (h: TestHost) => `deploy@${h.address}`;

describeHosts('dockhand up --serial: a rolling upgrade with health gates', () => {
  let fleet: Fleet;
  let home: string;
  let repo: TwoVersionRepo;
  let hosts: TestHost[];
  const dockhand = (args: string[]) => runCli(fleet, home, args);

  beforeAll(async () => {
    fleet = await bootHosts([
      { name: 'roll1', suite: 'bookworm' },
      { name: 'roll2', suite: 'bookworm' },
      { name: 'roll3', suite: 'bookworm' },
    ]);
    home = homeWithKey(fleet);
    hosts = fleet.hosts;
    repo = await twoVersionRepo(fleet, hosts[0]!);
    const up = await dockhand(['up', ...repo.args, '--docker-version', '24.0.1', ...hosts.map(target)]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    await Promise.all(
      hosts.map(async (h) => {
        await importBusybox(h);
        await h.sh("docker run -d --name web --restart always dh-busybox sleep 1000000 >/dev/null");
      }),
    );
  });
  afterAll(async () => {
    await repo?.close();
    await fleet?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('plan --serial shows the batches and which containers the upgrade restarts', async () => {
    const plan = await dockhand(['plan', ...repo.args, '--docker-version', '24.0.2', '--serial', '1', '--show-commands', ...hosts.map(target)]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('rollout: 3 batches (--serial 1)');
    hosts.forEach((h, i) => expect(plan.stdout).toContain(`  batch ${i + 1}: ${target(h)}`));
    expect(plan.stdout).toContain('restarts the Docker daemon: 1 running container(s) stop; 1 restart by their restart policy (web)');
    expect(plan.stdout).toContain('apt-mark hold docker-ce docker-ce-cli');
  });

  it('rolls the fleet to 24.0.2 one host at a time, each container back before the next host starts', async () => {
    const before = await Promise.all(hosts.map((h) => containerState(h, 'web')));
    const up = await dockhand(['up', ...repo.args, '--docker-version', '24.0.2', '--serial', '1', '--json', ...hosts.map(target)]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const evs = events(up.stdout);
    // One batch after the other: batch k starts after batch k-1's host event.
    const order = evs.filter((e) => e.event === 'batch' || e.event === 'host').map((e) => (e.event === 'batch' ? `batch ${e.batch as number}` : `host ${e.host as string}`));
    expect(order).toEqual(hosts.flatMap((h, i) => [`batch ${i + 1}`, `host ${target(h)}`]));
    for (const e of evs.filter((x) => x.event === 'host')) {
      expect(e.outcome).toBe('changed');
      const gate = (e.data as { gate: { ok: boolean; packageVersion: string } }).gate;
      expect(gate).toMatchObject({ ok: true, packageVersion: V2 });
    }
    expect(evs.some((e) => e.event === 'step' && e.step === 'health-gate' && e.status === 'ok')).toBe(true);
    for (const [i, h] of hosts.entries()) {
      expect(await installedVersion(h, 'docker-ce')).toBe(V2);
      expect((await h.sh('apt-mark showhold')).split('\n')).toEqual(expect.arrayContaining(['docker-ce', 'docker-ce-cli']));
      const now = await containerState(h, 'web');
      expect(now.status).toBe('running');
      // Restarted with the daemon, and back.
      expect(now.startedAt).not.toBe(before[i]!.startedAt);
    }
  });

  it('a gate failing on batch 2 stops the rollout; the third host is untouched', async () => {
    const [h1, h2, h3] = hosts as [TestHost, TestHost, TestHost];
    // Runs once, then exits at every restart: after the daemon restarts it is in a restart loop.
    await h2.sh(`docker run -d --name flaky --restart always dh-busybox sh -c 'if test -e /once; then exit 1; fi; touch /once; exec sleep 1000000' >/dev/null`);
    const up = await dockhand(['up', ...repo.args, '--docker-version', '24.0.1', '--serial', '1', '--gate-timeout', '25', ...hosts.map(target)]);
    const output = `${up.stdout}\n${up.stderr}`;
    expect(up.code, output).toBe(2);
    expect(up.stdout).toContain('rollout stopped (gate-failed):');
    expect(up.stdout).toContain(`  on ${V1}: ${target(h1)}`);
    expect(up.stdout).toMatch(new RegExp(`  failed: ${target(h2).replace(/\./g, '\\.')} \\(on [^)]*\\): health gate: container flaky `));
    expect(up.stdout).toContain(`  not started, unchanged: ${target(h3)}`);
    expect(up.stdout).toMatch(/, stopped early \(gate-failed\) \(exit 2\)/);
    expect(await installedVersion(h1, 'docker-ce')).toBe(V1);
    expect(await installedVersion(h2, 'docker-ce')).toBe(V1);
    expect(await installedVersion(h3, 'docker-ce')).toBe(V2);
    expect((await containerState(h3, 'web')).status).toBe('running');
  });
});
