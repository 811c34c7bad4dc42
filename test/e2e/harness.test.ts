/**
 * Smoke test of the e2e harness itself: the hosts every other e2e test relies on are real systemd
 * Debian hosts with the promised users, keys and network confinement, and teardown leaves nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeHosts } from '../harness/e2e.js';
import { run } from '../harness/hosts/proc.js';
import {
  bootHosts,
  iptablesRulesOf,
  listLinks,
  listNetns,
  prepareRoot,
  runUnbooted,
  sweepStaleRuns,
  type Fleet,
  type Suite,
  type TestHost,
} from '../harness/hosts.js';

const SUITES: Array<{ name: string; suite: Suite; codename: string }> = [
  { name: 'deb11', suite: 'bullseye', codename: 'bullseye' },
  { name: 'deb12', suite: 'bookworm', codename: 'bookworm' },
  { name: 'deb13', suite: 'trixie', codename: 'trixie' },
];
// An address from TEST-NET-2 (documentation range): nothing answers there, and the firewall must
// refuse it before a packet leaves this machine.
const ELSEWHERE = '198.51.100.1';
const tcpProbe = (addr: string, port: number) =>
  `timeout 5 bash -c 'exec 3<>/dev/tcp/${addr}/${port}' 2>&1`;

describeHosts('e2e harness: throwaway Debian hosts', () => {
  let fleet: Fleet;
  const host = (name: string): TestHost => fleet.host(name);

  beforeAll(async () => {
    const started = Date.now();
    fleet = await bootHosts(SUITES.map(({ name, suite }) => ({ name, suite })));
    console.log(
      `[harness] fleet up in ${((Date.now() - started) / 1000).toFixed(1)} s; per host boot: ` +
        fleet.hosts.map((h) => `${h.name} ${h.bootSeconds.toFixed(1)} s (${h.systemState})`).join(', '),
    );
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it.each(SUITES)('$name: systemd is PID 1 and the system is up, release is $codename', async ({ name, codename }) => {
    const h = host(name);
    expect((await h.sh('cat /proc/1/comm')).trim()).toBe('systemd');
    expect((await h.exec('systemctl is-system-running')).stdout.trim()).toMatch(/^(running|degraded)$/);
    expect(await h.sh('. /etc/os-release; echo "$VERSION_CODENAME"')).toBe(`${codename}\n`);
    expect((await h.sh('hostname')).trim()).toBe(name);
  });

  it.each(SUITES)('$name: SSH as every user with the harness key, host key verified', async ({ name }) => {
    const h = host(name);
    for (const user of ['root', 'deploy', 'deploypw', 'plain'] as const) {
      const res = await h.ssh(user, 'id -un');
      expect(res, `ssh as ${user}`).toMatchObject({ code: 0, stdout: `${user}\n` });
    }
    // Another host's key must be refused: known_hosts really is checked.
    const other = fleet.hosts.find((x) => x !== h)!;
    const args = h.sshArgs('root').map((a) => (a === `UserKnownHostsFile=${h.knownHostsFile}` ? `UserKnownHostsFile=${other.knownHostsFile}` : a));
    const res = await run('ssh', [...args, '--', 'true']);
    expect(res.code).toBe(255);
    expect(res.stderr).toMatch(/host key/i);
  });

  it.each(SUITES)('$name: deploy has passwordless sudo, deploypw needs its password, plain has none', async ({ name }) => {
    const h = host(name);
    expect((await h.ssh('deploy', 'sudo -n true')).code).toBe(0);

    const noPassword = await h.ssh('deploypw', 'sudo -n true');
    expect(noPassword.code).not.toBe(0);
    expect(noPassword.stderr).toMatch(/password is required/);
    const withPassword = await h.ssh('deploypw', "sudo -S -p '' id -u", { input: `${h.users.deploypw.password}\n` });
    expect(withPassword).toMatchObject({ code: 0, stdout: '0\n' });
    const wrongPassword = await h.ssh('deploypw', "sudo -S -p '' true", { input: 'not-the-password\n' });
    expect(wrongPassword.code).not.toBe(0);

    expect((await h.ssh('plain', 'sudo -n true')).code).not.toBe(0);
    expect(await h.sh('sudo -l -U plain')).toMatch(/not allowed to run sudo/);
  });

  // A login is a real logind session (pam_systemd): XDG_RUNTIME_DIR, a running user manager — what the
  // doctor's rootless checks read. With a broken cgroup setup user@UID.service fails, and logind could
  // hold concurrent logins for pam_systemd's 120 s bus timeout; 9 at once must all be quick.
  it.each(SUITES)('$name: concurrent SSH logins get a logind session with a user manager, quickly', async ({ name }) => {
    const h = host(name);
    const users = ['root', 'deploy', 'deploypw', 'plain', 'root', 'deploy', 'deploypw', 'plain', 'root'] as const;
    const started = Date.now();
    const logins = await Promise.all(users.map((u) => h.ssh(u, 'echo "$XDG_RUNTIME_DIR"; test -S "$XDG_RUNTIME_DIR/systemd/private" && echo manager')));
    const seconds = (Date.now() - started) / 1000;
    // When logins stall, what logind, the user managers and PAM said is what explains it.
    const why = seconds < 20 ? '' : await h.sh('journalctl -b --no-pager -o short-monotonic | grep -E "logind|user@|pam_|dbus|session-" | tail -80');
    expect(seconds, `9 concurrent logins took ${seconds} s:\n${why}`).toBeLessThan(20);
    for (const [i, res] of logins.entries()) {
      const uid = (await h.sh(`id -u ${users[i]}`)).trim();
      expect(res, `login as ${users[i]}`).toMatchObject({ code: 0, stdout: `/run/user/${uid}\nmanager\n` });
    }
    expect(await h.sh('systemctl --failed --no-legend --plain')).not.toMatch(/user@/);
  });

  it.each(SUITES)('$name: apt reaches the mirror; nothing else is reachable', async ({ name }) => {
    const h = host(name);
    const update = await h.exec('apt-get update', { timeoutMs: 180_000 });
    expect(update.code, update.stderr).toBe(0);
    expect(update.stdout).toContain(fleet.network.mirror.hostname);

    const started = Date.now();
    const out = await h.exec(tcpProbe(ELSEWHERE, 80));
    expect(out.code).not.toBe(0);
    expect(out.stdout).toMatch(/No route to host|Connection refused|unreachable/i);
    expect(Date.now() - started).toBeLessThan(3000); // refused by our firewall, not timed out
  });

  it('hosts reach each other (sshd of a neighbour answers)', async () => {
    const [a, b] = fleet.hosts as [TestHost, TestHost];
    const res = await a.exec(`timeout 5 bash -c 'exec 3<>/dev/tcp/${b.address}/22; head -c 7 <&3'`);
    expect(res).toMatchObject({ code: 0, stdout: 'SSH-2.0' });
  });

  it('firewall rules: only the mirror address is masqueraded, everything else from the hosts is rejected', () => {
    const rules = iptablesRulesOf(fleet.runId).join('\n');
    expect(rules).toContain(`-d ${fleet.network.mirror.address}/32 -m comment`);
    expect(rules).toContain('-j MASQUERADE');
    expect(rules).toMatch(/-j REJECT --reject-with icmp-admin-prohibited/);
    expect(rules.match(/MASQUERADE/g)).toHaveLength(1);
  });

  it('runUnbooted: a root without init runs the command as PID 1 with the project bound in', async () => {
    const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const root = await prepareRoot('bookworm');
    try {
      const res = await runUnbooted(
        root.path,
        'cat /proc/1/comm; test -d /run/systemd/system && echo booted || echo no-init; test -f /project/package.json && echo project; node --version',
        { bind: [{ source: projectRoot, target: '/project', readOnly: true }, { source: process.execPath, target: '/usr/local/bin/node', readOnly: true }] },
      );
      expect(res.code, res.stderr).toBe(0);
      const [pid1, init, project, node] = res.stdout.trim().split('\n');
      expect(pid1).toBe('sh');
      expect(init).toBe('no-init');
      expect(project).toBe('project');
      expect(node).toBe(process.version);
    } finally {
      root.remove();
    }
    expect(existsSync(root.path)).toBe(false);
  });

  it('teardown leaves no container, netns, veth, bridge, iptables rule or root copy behind', async () => {
    const { runId } = fleet;
    const rootfs = fleet.hosts.map((h) => h.rootfs);
    const started = Date.now();
    await fleet.stop();
    console.log(`[harness] teardown in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(listNetns().filter((n) => n.includes(runId))).toEqual([]);
    expect(listLinks().filter((l) => l.includes(runId))).toEqual([]);
    expect(iptablesRulesOf(runId)).toEqual([]);
    for (const r of rootfs) expect(existsSync(r)).toBe(false);
    expect(existsSync(fleet.knownHostsFile)).toBe(false);
  });
});

describeHosts('e2e harness: docker image variant', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await bootHosts(SUITES.map(({ name, suite }) => ({ name, suite })), { image: 'docker' });
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it.each(SUITES)('$name: docker.service is active, the socket is root:docker 0660, a container runs', async ({ name }) => {
    const h = fleet.host(name);
    expect(await h.sh('systemctl is-active docker.service')).toBe('active\n');
    expect(await h.sh('stat -c "%U:%G %a" /run/docker.sock')).toBe('root:docker 660\n');
    expect(await h.sh("docker info --format '{{.Driver}}'")).toBe('overlay2\n');
    expect(await h.sh('findmnt -no FSTYPE -T /var/lib/docker')).not.toMatch(/overlay/);
    // No registry is reachable: build a one-binary image from the host's own /usr/bin/true.
    const run = await h.exec(
      'set -e; d=$(mktemp -d); cp -L --parents /usr/bin/true $(ldd /usr/bin/true | grep -o "/[^ ]*") "$d";' +
        ' tar -C "$d" -c . | docker import - harness-true >/dev/null; docker run --rm harness-true /usr/bin/true',
      { timeoutMs: 120_000 },
    );
    expect(run, run.stderr).toMatchObject({ code: 0 });
  });
});

describeHosts('e2e harness: recovering from a crashed run', () => {
  it('sweepStaleRuns removes the containers, network and files of a run whose process died', async () => {
    const fleet = await bootHosts([{ name: 'crash', suite: 'bookworm' }]);
    const [h] = fleet.hosts as [TestHost];
    const runDir = dirname(h.rootfs);
    try {
      // Pretend the process that booted it was SIGKILLed: the run's owner is now a dead PID.
      const dead = spawnSync('true').pid!;
      writeFileSync(join(runDir, 'owner.json'), JSON.stringify({ pid: dead, tempDir: '' }));
      sweepStaleRuns();
      expect(listNetns().filter((n) => n.includes(fleet.runId))).toEqual([]);
      expect(listLinks().filter((l) => l.includes(fleet.runId))).toEqual([]);
      expect(iptablesRulesOf(fleet.runId)).toEqual([]);
      expect(existsSync(runDir)).toBe(false);
      expect((await run('pgrep', ['-f', `systemd-nspawn -D ${h.rootfs}`])).code).toBe(1); // no nspawn left
    } finally {
      await fleet.stop(); // must tolerate everything being gone already
    }
  });
});
