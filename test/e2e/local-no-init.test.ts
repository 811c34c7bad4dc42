/**
 * Local mode on a machine without an init system: `dockhand up` runs INSIDE a Debian root that is not
 * booted (PID 1 is a shell; no systemd, no services), like a container or a chroot-style VM image.
 * Docker comes from the distribution, is started with `service docker start`, and a user added to the
 * docker group reaches the daemon from a fresh login session.
 *
 * The root joins a booted host's network namespace, the only way out to the Debian mirror; node and
 * the built project are bind-mounted from this machine (read-only).
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI } from '../harness/cli.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, prepareRoot, runUnbooted, type Fleet } from '../harness/hosts.js';

const SUITE = 'bookworm';
const PROJECT = dirname(dirname(dirname(CLI))); // …/dist/src/cli.js → the project root

describeHosts('dockhand up locally in a Debian root without an init system', () => {
  let fleet: Fleet;
  let root: { path: string; remove(): void };

  /**
   * `sh -c cmd` inside the unbooted root, on the network of the fleet's host. nspawn mounts a
   * read-only /sys/fs/cgroup; a machine without init has a writable one (or none), where Debian's
   * docker init script mounts the cgroup hierarchies itself: give it that.
   */
  const inRoot = (cmd: string) =>
    runUnbooted(root.path, `mount -t tmpfs -o mode=0755 cgroup /sys/fs/cgroup\n${cmd}`, {
      netnsPath: fleet.host('net12').netnsPath,
      bind: [
        { source: process.execPath, target: '/usr/local/bin/node', readOnly: true },
        { source: PROJECT, readOnly: true },
      ],
      // dockerd sets up its NAT chains with iptables: root on a real machine has CAP_NET_ADMIN.
      capabilities: ['CAP_NET_ADMIN'],
      env: { HOME: '/root', CI: 'true', LC_ALL: 'C' },
      timeoutMs: 600_000,
    });

  beforeAll(async () => {
    [fleet, root] = await Promise.all([bootHosts([{ name: 'net12', suite: SUITE }]), prepareRoot(SUITE)]);
    // Name resolution inside goes through /etc/hosts only: take the booted host's, which pins the mirror.
    copyFileSync(join(fleet.host('net12').rootfs, 'etc/hosts'), join(root.path, 'etc/hosts'));
    // This machine lacks CAP_SYS_RESOURCE (it is itself sandboxed), so the init script's
    // `ulimit -n 1048576` fails here, as it would not on a real machine. /etc/default/docker, which the
    // script sources for local settings, tolerates that; being there first, dpkg keeps it (confold).
    mkdirSync(join(root.path, 'etc/default'), { recursive: true });
    writeFileSync(join(root.path, 'etc/default/docker'), 'ulimit() { command ulimit "$@" 2>/dev/null || true; }\n');
  });
  afterAll(async () => {
    root?.remove();
    await fleet?.stop();
  });

  it('installs Docker from the distribution, starts it with service(8), and a docker-group user reaches it', async () => {
    const probe = await inRoot('echo "pid1=$(cat /proc/1/comm)"; node --version');
    expect(probe.code, probe.stderr).toBe(0);
    expect(probe.stdout).toMatch(/^pid1=sh\nv\d+\./);

    // No init system: the plan starts docker with service(8), and containerd only if it has an init script.
    const dry = await inRoot(`node ${CLI} plan --show-commands --source distro --users plain`);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('else service docker start; fi');
    expect(dry.stdout).toContain('if [ -e /etc/init.d/containerd ]; then');

    const started = Date.now();
    const up = await inRoot(`node ${CLI} up --source distro --users plain`);
    const seconds = (Date.now() - started) / 1000;
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(up.stdout).toMatch(/: [1-9] changed, \d ok, 0 failed/);
    process.stderr.write(`[local-no-init] up took ${seconds.toFixed(0)} s\n`);

    // Every inRoot() is a new container, as after a reboot of a machine without init: nothing runs.
    // A second `up` only starts the daemon (and verifies); then a fresh login of `plain` (not root,
    // no sudo) reaches it over the group-owned socket.
    const after = await inRoot(
      [
        `node ${CLI} up --source distro --users plain 2>/dev/null`,
        "stat -c 'socket %U:%G %a' /var/run/docker.sock",
        "runuser -l plain -c 'id -nG; docker version --format \"server {{.Server.Version}}\"'",
      ].join('\n'),
    );
    expect(after.code, `${after.stdout}\n${after.stderr}`).toBe(0);
    expect(after.stdout).toMatch(/: 1 changed, 8 ok, 0 failed/); // verify is a check, counted ok
    expect(after.stdout).toContain('socket root:docker 660');
    expect(after.stdout).toMatch(/^plain( \S+)* docker\b/m);
    expect(after.stdout).toMatch(/server \d+\.\d+/);
  });
});
