import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseProbeOutput } from '../../src/facts/parse.js';

const read = (name: string) => readFileSync(new URL(`../fixtures/probe/${name}.probe`, import.meta.url), 'utf8');

describe('parseProbeOutput on recorded probe outputs', () => {
  it('Ubuntu 24.04 cloud user: Docker CE running, not yet in the docker group session, apt busy', () => {
    const f = parseProbeOutput('web1', read('ubuntu-24.04-cloud-user'));
    expect(f.host).toBe('web1');
    expect(f.os).toMatchObject({ id: 'ubuntu', versionId: '24.04', ubuntuCodename: 'noble' });
    expect(f.arch).toEqual({ machine: 'aarch64', package: 'arm64' });
    expect(f.kernel).toEqual({ release: '6.8.0-1016-aws', major: 6, minor: 8 });
    expect(f.init).toEqual({ system: 'systemd', pid1: 'systemd', hasServiceCommand: true, wsl: false, container: undefined });
    expect(f.packageManager).toBe('apt');
    expect(f.privilege).toEqual({ uid: 1000, isRoot: false, sudoInstalled: true, sudoNoPassword: true });
    expect(f.user.sessionGroups).not.toContain('docker');
    expect(f.user.databaseGroups).toContain('docker');
    expect(f.user.sessionGids).toEqual([1000, 4, 24, 27, 30, 105]);
    expect(f.packages).toEqual({
      'containerd.io': '1.7.27-1',
      'docker-buildx-plugin': '0.25.0-1~ubuntu.24.04~noble',
      'docker-ce': '5:28.3.2-1~ubuntu.24.04~noble',
      'docker-ce-cli': '5:28.3.2-1~ubuntu.24.04~noble',
      'docker-ce-rootless-extras': '5:28.3.2-1~ubuntu.24.04~noble',
      'docker-compose-plugin': '2.38.2-1~ubuntu.24.04~noble',
    });
    expect(Object.keys(f.units).sort()).toEqual(['containerd.service', 'docker.service', 'docker.socket']);
    expect(f.units['docker.service']).toMatchObject({ activeState: 'active', mainPid: 2211 });
    expect(f.serviceRunning).toBeUndefined();
    expect(f.dockerGroup).toEqual({ exists: true, gid: 988, members: ['ubuntu'] });
    expect(f.socket).toEqual({ path: '/var/run/docker.sock', exists: true, type: 'socket', uid: 0, gid: 988, mode: 0o660, owner: 'root', group: 'docker' });
    expect(f.daemonJson.exists).toBe(true);
    expect(JSON.parse(f.daemonJson.content!)['data-root']).toBe('/srv/docker');
    expect(f.dockerRoot).toEqual({
      path: '/srv/docker', exists: true, fsType: 'xfs', dType: false, driversWithData: [],
      imageCount: undefined, containerCount: undefined, diskFreePercent: 10, inodesFreePercent: 100,
    });
    expect(f.dockerd).toEqual({ pid: 2211, cmdline: '/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock' });
    expect(f.versions).toEqual({ engine: '28.3.2', cli: '28.3.2', containerd: '1.7.27' });
    expect(f.cloudInit).toEqual({ present: true, status: 'running' });
    expect(f.locks).toEqual([
      { path: '/var/lib/dpkg/lock-frontend', pid: 3120, command: 'apt-get' },
      { path: '/var/lib/dpkg/lock', pid: 3120, command: 'apt-get' },
    ]);
    expect(f.aptSources!.files.map((x) => x.path)).toEqual([
      '/etc/apt/sources.list.d/docker.list',
      '/etc/apt/sources.list.d/docker.sources',
    ]);
    expect(f.aptSources!.files[1]!.content!.endsWith('Signed-By: /etc/apt/keyrings/docker.asc')).toBe(true);
    expect(f.aptSources!.legacyKeys).toEqual(['/etc/apt/trusted.gpg.d/docker.gpg']);
  });

  it('Fedora 42 user: dnf5, moby-engine installed but stopped, no sudo without password, btrfs', () => {
    const f = parseProbeOutput('fed', read('fedora-42-dnf5-user'));
    expect(f.os).toMatchObject({ id: 'fedora', versionId: '42', versionCodename: undefined });
    expect(f.packageManager).toBe('dnf5');
    expect(f.arch).toEqual({ machine: 'x86_64', package: 'x86_64' });
    expect(f.privilege).toEqual({ uid: 1000, isRoot: false, sudoInstalled: true, sudoNoPassword: false });
    expect(f.packages).toEqual({ 'moby-engine': '27.3.1-3.fc42', podman: '5:5.6.1-1.fc42', runc: '2:1.3.0-1.fc42' });
    expect(f.units['containerd.service']).toMatchObject({ loadState: 'not-found', unitFileState: '' });
    expect(f.units['docker.service']).toMatchObject({ activeState: 'inactive', unitFileState: 'disabled', mainPid: undefined });
    expect(f.dockerGroup).toEqual({ exists: false, members: [] });
    expect(f.socket).toEqual({ path: '/var/run/docker.sock', exists: false });
    expect(f.daemonJson).toEqual({ path: '/etc/docker/daemon.json', exists: false });
    expect(f.dockerRoot).toMatchObject({ fsType: 'btrfs', dType: true, diskFreePercent: 75, inodesFreePercent: undefined, imageCount: undefined });
    expect(f.overlay).toEqual({ supported: false, moduleLoaded: false, persisted: false });
    expect(f.dockerd).toBeUndefined();
    expect(f.binaries).toEqual({ docker: '/usr/bin/docker', dockerd: '/usr/bin/dockerd', containerd: undefined });
    expect(f.versions).toEqual({ engine: '27.3.1', cli: '27.3.1', containerd: undefined });
    expect(f.cloudInit).toEqual({ present: false, status: undefined });
    expect(f.locks).toEqual([]);
    expect(f.aptSources).toBeUndefined();
  });

  it('Alpine root with OpenRC: apk packages, service status, images on two drivers, db groups rebuilt', () => {
    const f = parseProbeOutput('pi', read('alpine-3.22-openrc-root'));
    expect(f.os).toMatchObject({ id: 'alpine', versionId: '3.22.1' });
    expect(f.init.system).toBe('openrc');
    expect(f.packageManager).toBe('apk');
    expect(f.arch).toEqual({ machine: 'armv7l', package: 'armv7' });
    expect(f.privilege).toEqual({ uid: 0, isRoot: true, sudoInstalled: false, sudoNoPassword: true });
    // `id -Gn root` was not available: primary group plus the groups listing root as a member.
    expect(f.user.databaseGroups).toEqual(['root', 'bin', 'wheel']);
    expect(f.packages).toEqual({ 'docker-engine': '27.3.1-r3', 'docker-cli': '27.3.1-r3', docker: '27.3.1-r3', containerd: '1.7.23-r2' });
    expect(f.units).toEqual({});
    expect(f.serviceRunning).toEqual({ docker: true, containerd: false });
    expect(f.dockerGroup).toEqual({ exists: true, gid: 101, members: ['root', 'alice'] });
    expect(f.daemonJson).toEqual({ path: '/etc/docker/daemon.json', exists: true });
    expect(f.dockerRoot).toMatchObject({
      fsType: 'ext2/ext3', dType: true, driversWithData: ['overlay2', 'vfs'], imageCount: 5, containerCount: 3,
      diskFreePercent: 90, inodesFreePercent: undefined,
    });
    expect(f.overlay).toEqual({ supported: true, moduleLoaded: true, persisted: true });
    expect(f.versions.containerd).toBe('2.0.0');
    expect(f.locks).toEqual([{ path: '/lib/apk/db/lock', pid: 990, command: 'apk' }]);
  });

  it('Debian 12 in a container as root (recorded on the build machine)', () => {
    const f = parseProbeOutput('local', read('debian-12-container-root'));
    expect(f.os).toMatchObject({ id: 'debian', versionCodename: 'bookworm' });
    expect(f.init).toMatchObject({ system: 'none', container: 'docker', hasServiceCommand: true });
    expect(f.packages['docker.io']).toMatch(/^20\.10\./);
    expect(f.serviceRunning).toEqual({ docker: false, containerd: false });
    expect(f.dockerGroup.exists).toBe(true);
    expect(f.aptSources).toEqual({ files: [], legacyKeys: [] });
  });

  it('Debian 12 booted with systemd in nspawn (recorded): root sees units, socket, storage data', () => {
    const f = parseProbeOutput('nspawn', read('debian-12-nspawn-systemd-root'));
    expect(f.init).toEqual({ system: 'systemd', pid1: 'systemd', hasServiceCommand: true, wsl: false, container: 'systemd-nspawn' });
    expect(f.units['docker.service']).toEqual({
      name: 'docker.service', loadState: 'loaded', activeState: 'active', subState: 'running',
      unitFileState: 'enabled', result: 'success', mainPid: 55,
    });
    // Sockets have no MainPID property at all.
    expect(f.units['docker.socket']).toMatchObject({ activeState: 'active', mainPid: undefined });
    expect(f.units['containerd.service']!.mainPid).toBe(45);
    expect(f.serviceRunning).toBeUndefined();
    expect(f.dockerd).toEqual({ pid: 55, cmdline: '/usr/sbin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock' });
    expect(f.socket).toMatchObject({ type: 'socket', owner: 'root', group: 'docker', mode: 0o660 });
    expect(f.dockerRoot).toMatchObject({ exists: true, fsType: 'ext4', dType: true, driversWithData: ['overlay2'], imageCount: 0, containerCount: 0 });
    expect(f.packages).toMatchObject({ 'docker.io': '20.10.24+dfsg1-1+deb12u1+b6', containerd: '1.6.20~ds1-1+deb12u3' });
  });

  it('the same host as a docker-group user with passwordless sudo (recorded)', () => {
    const f = parseProbeOutput('nspawn', read('debian-12-nspawn-systemd-user'));
    expect(f.privilege).toEqual({ uid: 1000, isRoot: false, sudoInstalled: true, sudoNoPassword: true });
    expect(f.user).toMatchObject({ name: 'alice', sessionGroups: ['alice', 'docker'], databaseGroups: ['alice', 'docker'] });
    expect(f.dockerGroup.members).toEqual(['alice']);
    expect(f.units['docker.service']!.activeState).toBe('active');
    // /var/lib/docker is root-only: what is in it is unknown to this user.
    expect(f.dockerRoot).toMatchObject({ exists: true, driversWithData: [], imageCount: undefined, containerCount: undefined });
  });

  it('truncated output still parses what arrived; the rest is unknown, not a crash', () => {
    const f = parseProbeOutput('cut', read('truncated'));
    expect(f.os.id).toBe('ubuntu');
    expect(f.packages['containerd.io']).toBe('1.7.27-1');
    expect(f.units).toEqual({});
    expect(f.socket.exists).toBe(false);
    expect(f.dockerRoot.diskFreePercent).toBeUndefined();
  });

  it('empty output gives an all-unknown Facts object', () => {
    const f = parseProbeOutput('nothing', '');
    expect(f.os.id).toBe('linux');
    expect(f.packageManager).toBe('unknown');
    expect(f.privilege.uid).toBe(-1);
    expect(f.locks).toEqual([]);
  });
});
