/**
 * Rootless Docker end to end on a real systemd Debian host, over real SSH as the unprivileged sudoer
 * `deploy`: `up --rootless --users alice` (packages from --source distro: docker.io + rootlesskit), then
 * from a fresh SSH login as alice the client reaches her own daemon (rootless security option, overlay
 * storage), a container from a locally imported image runs, the daemon survives her logout, and a
 * second run changes nothing. The rootful daemon keeps running beside it.
 *
 * alice is made here as adduser makes users on current Debian: home 0700, so the facts probe (run as
 * deploy) cannot look into it — the plan's convergence rests on what it can see (lingering, subordinate
 * IDs, her dockerd running as her user service) and on dockhand's root-owned record.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { homeWithKey, runCli } from '../harness/cli.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type TestHost } from '../harness/hosts.js';
import { run } from '../harness/hosts/proc.js';

describeHosts('rootless Docker on a real Debian host', () => {
  let fleet: Fleet;
  let h: TestHost;
  let home: string;
  const target = () => `deploy@${h.address}`;
  const dockhand = (args: string[]) => runCli(fleet, home, args);
  /** A fresh SSH login as alice (the harness key is authorized for her in beforeAll). */
  const asAlice = (cmd: string) => {
    const args = h.sshArgs('deploy');
    args[args.length - 1] = `alice@${h.address}`;
    return run('ssh', [...args, '--', cmd], { timeoutMs: 120_000 });
  };
  const alicePid = async () => (await h.sh('pgrep -u alice -x dockerd || true')).trim();

  beforeAll(async () => {
    fleet = await bootHosts([{ name: 'rl12', suite: 'bookworm' }], { image: 'docker' });
    h = fleet.host('rl12');
    home = homeWithKey(fleet);
    await h.sh(
      'useradd --create-home --shell /bin/bash alice && chmod 0700 /home/alice' +
        ' && install -d -o alice -g alice -m 0700 /home/alice/.ssh' +
        ' && install -o alice -g alice -m 0600 /home/deploy/.ssh/authorized_keys /home/alice/.ssh/authorized_keys' +
        // useradd gave her subordinate IDs; a user from LDAP or an older tool has none: take them away.
        " && sed -i '/^alice:/d' /etc/subuid /etc/subgid",
    );
  });
  afterAll(async () => {
    await fleet?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('up --rootless --users alice: her own daemon, from a fresh login, surviving logout; then converged', async () => {
    const dry = await dockhand(['plan', '--show-commands', target(), '--source', 'distro', '--rootless', '--users', 'alice']);
    expect(dry.code, `${dry.stdout}\n${dry.stderr}`).toBe(0);
    expect(dry.stdout).toMatch(/^ +change +rootless +Rootless Docker per user — /m);
    const ids = /subordinate IDs for alice (\d+)–(\d+)/.exec(dry.stdout);
    expect(ids, dry.stdout).not.toBeNull();
    const [start, end] = [Number(ids![1]), Number(ids![2])];
    expect(end - start + 1).toBe(65536);
    // Never over the other users' ranges (deploy, deploypw and plain got theirs from useradd).
    for (const line of (await h.sh('cat /etc/subuid /etc/subgid')).trim().split('\n')) {
      const [, s0, n] = line.split(':').map(Number);
      expect(start >= s0! + n! || end < s0!, `${start}-${end} overlaps ${line}`).toBe(true);
    }
    expect(dry.stdout).toContain('alice reaches their own rootless daemon at unix:///run/user/');
    expect(dry.stdout).not.toContain('usermod -aG docker alice');

    const up = await dockhand(['up', target(), '--source', 'distro', '--rootless', '--users', 'alice']);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(await h.sh('grep -h ^alice: /etc/subuid /etc/subgid')).toBe(`alice:${start}:65536\nalice:${start}:65536\n`);
    expect(await h.sh('ls /var/lib/systemd/linger')).toContain('alice');
    // alice is not in the docker group; the rootful daemon still runs for the group's members.
    expect(await h.sh('id -Gn alice')).not.toMatch(/\bdocker\b/);
    expect((await h.sh('systemctl is-active docker.service')).trim()).toBe('active');

    // A fresh login as alice: her client talks to her rootless daemon, storage is overlay-based.
    const info = await asAlice(`docker info --format '{{json .SecurityOptions}} {{.Driver}} {{.DockerRootDir}}'`);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toContain('name=rootless');
    expect(info.stdout).toMatch(/\] (overlay2|fuse-overlayfs|overlayfs) \/home\/alice\/\.local\/share\/docker/);
    // A container from a local image (no registry here): /usr/bin/true and its libraries, imported.
    const container = await asAlice(
      'set -e; d=$(mktemp -d); cp -L --parents /usr/bin/true $(ldd /usr/bin/true | grep -o "/[^ ]*") "$d";' +
        ' tar -C "$d" -c . | docker import - rootless-true >/dev/null; docker run --rm rootless-true /usr/bin/true && echo ran',
    );
    expect(container.stdout.trim(), container.stderr).toBe('ran');

    // alice has logged out (every SSH session above ended): lingering keeps her manager and daemon.
    const pid = await alicePid();
    expect(pid).toMatch(/^\d+$/);
    await h.sh('for i in $(seq 30); do loginctl list-sessions --no-legend | grep -q " alice " || exit 0; sleep 1; done; exit 1');
    await new Promise((r) => setTimeout(r, 3000));
    expect(await alicePid()).toBe(pid);
    const uid = (await h.sh('id -u alice')).trim();
    expect((await h.sh(`runuser -u alice -- docker -H unix:///run/user/${uid}/docker.sock version --format '{{.Server.Version}}'`)).trim()).toMatch(/^\d+\./);

    // Second run: nothing to do, and applying it leaves her daemon alone.
    const again = await dockhand(['plan', target(), '--source', 'distro', '--rootless', '--users', 'alice']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout, again.stdout).toContain('converged: nothing to do');
    const up2 = await dockhand(['up', target(), '--source', 'distro', '--rootless', '--users', 'alice']);
    expect(up2.code, up2.stderr).toBe(0);
    expect(up2.stdout).toMatch(/: 0 changed, \d+ ok, 0 failed/);
    expect(await alicePid()).toBe(pid);

    // Without --users, --rootless means the login user (looked up by the same probe), never root.
    const self = await dockhand(['plan', target(), '--source', 'distro', '--rootless']);
    expect(self.code, self.stderr).toBe(0);
    expect(self.stdout).toMatch(/deploy reaches their own rootless daemon at unix:\/\/\/run\/user\/\d+\/docker.sock/);
  });

  interface Finding { id: string; status: string; summary: string; evidence: string[]; fix?: { commands: string[] } }
  /** The doctor as alice herself, over SSH (her session, her XDG_RUNTIME_DIR), as JSON. */
  async function doctorAsAlice(extra: string[] = []) {
    const r = await dockhand(['doctor', '-H', `alice@${h.address}`, '--json', ...extra]);
    const report = (JSON.parse(r.stdout) as Array<{ error?: string; findings: Finding[]; applied?: string[] }>)[0]!;
    expect(report.error, r.stderr).toBeUndefined();
    const find = (id: string) => report.findings.find((f) => f.id === id) ?? { id, status: 'absent', summary: '', evidence: [] };
    return { code: r.code, report, find };
  }
  const asAliceRoot = async (cmd: string) => {
    const uid = (await h.sh('id -u alice')).trim();
    return h.sh(`cd / && runuser -u alice -- env HOME=/home/alice XDG_RUNTIME_DIR=/run/user/${uid} sh -c '${cmd}'`);
  };

  it('doctor for alice: healthy, then a stopped rootless daemon (fixed by --fix), then a client aimed at the system daemon', async () => {
    const healthy = await doctorAsAlice();
    for (const id of ['rootless.service', 'rootless.socket', 'rootless.linger', 'rootless.subids', 'rootless.client']) {
      expect(healthy.find(id).status, `${id}: ${healthy.find(id).summary}`).toBe('pass');
    }

    await asAliceRoot('systemctl --user stop docker.service');
    const stopped = await doctorAsAlice();
    expect(stopped.find('rootless.service').status).toBe('fail');
    expect(stopped.find('rootless.service').summary).toMatch(/alice's rootless daemon is not running \(docker.service inactive/);
    expect(stopped.find('rootless.socket').status).toBe('skip');
    // Not the system daemon's socket finding: restarting docker.socket could not bring hers back.
    expect(stopped.find('socket.exists').status).toBe('skip');
    expect(stopped.find('rootless.service').fix?.commands).toContain('systemctl --user start docker.service');
    expect(stopped.code).toBe(1);
    const fixed = await doctorAsAlice(['--fix', '--yes']);
    expect(fixed.find('rootless.service').status, JSON.stringify(fixed.report.applied)).toBe('pass');
    expect(fixed.find('rootless.socket').status).toBe('pass');
    expect((await asAliceRoot('systemctl --user is-active docker.service')).trim()).toBe('active');

    // The classic confusion: her client back on /var/run/docker.sock (not in the docker group, too).
    await asAliceRoot('docker context use default');
    const wrong = await doctorAsAlice();
    expect(wrong.find('rootless.client').status).toBe('fail');
    expect(wrong.find('rootless.client').summary).toContain('alice has a rootless daemon, but the client talks to the system daemon');
    expect(wrong.find('rootless.client').fix?.commands).toEqual(['docker context use rootless']);
    const back = await doctorAsAlice(['--fix', '--yes']);
    expect(back.find('rootless.client').status).toBe('pass');
    expect((await asAlice(`docker info --format '{{json .SecurityOptions}}'`)).stdout).toContain('name=rootless');
  });
});
