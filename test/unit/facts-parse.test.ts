import { describe, expect, it } from 'vitest';
import { parseCloudInitStatus } from '../../src/facts/areas/cloud-init.js';
import { parseStatLine, parseToolVersion } from '../../src/facts/areas/docker.js';
import { detectContainer, detectInitSystem } from '../../src/facts/areas/init.js';
import { parseProcLocks } from '../../src/facts/areas/locks.js';
import { parseKernelRelease } from '../../src/facts/areas/os.js';
import { detectPackageManager, parseApkInstalled, parseDnfVersion, parseDpkgQuery, parsePacmanQuery, parseRpmQuery } from '../../src/facts/areas/packages.js';
import { parseSystemctlShow } from '../../src/facts/areas/services.js';
import { fsSupportsDType, parseDfFreePercent, parseXfsFtype } from '../../src/facts/areas/storage.js';
import { parseAccounts, parseGroupLine, parseIdList } from '../../src/facts/areas/user.js';
import { parseProbeOutput } from '../../src/facts/parse.js';
import { frame } from '../fixtures/probe/frame.js';

describe('parseSystemctlShow', () => {
  it('reads several units in one output, including not-found ones', () => {
    const units = parseSystemctlShow(
      'Id=docker.service\nMainPID=812\nResult=success\nLoadState=loaded\nActiveState=active\nSubState=running\nUnitFileState=enabled\n\n' +
        'Id=containerd.service\nMainPID=0\nResult=exit-code\nLoadState=loaded\nActiveState=failed\nSubState=failed\nUnitFileState=enabled\n\n' +
        'Id=docker.socket\nMainPID=0\nResult=success\nLoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\n',
    );
    expect(units['docker.service']).toEqual({
      name: 'docker.service', loadState: 'loaded', activeState: 'active', subState: 'running',
      unitFileState: 'enabled', result: 'success', mainPid: 812,
    });
    expect(units['containerd.service']).toMatchObject({ activeState: 'failed', result: 'exit-code', mainPid: undefined });
    expect(units['docker.socket']).toMatchObject({ loadState: 'not-found', unitFileState: '' });
  });
  it('masked units', () => {
    expect(parseSystemctlShow('Id=docker.service\nLoadState=masked\nActiveState=inactive\nUnitFileState=masked')['docker.service'])
      .toMatchObject({ loadState: 'masked', unitFileState: 'masked' });
  });
  it('ignores blocks without Id and garbage', () => {
    expect(parseSystemctlShow('System has not been booted with systemd\n\nLoadState=loaded')).toEqual({});
  });
});

describe('parseStatLine', () => {
  it.each([
    ['0|988|660|root|docker', { uid: 0, gid: 988, mode: 0o660, owner: 'root', group: 'docker' }],
    ['0|0|755|root|root', { uid: 0, gid: 0, mode: 0o755, owner: 'root', group: 'root' }],
    ['0|1234|660|root|UNKNOWN', { uid: 0, gid: 1234, mode: 0o660, owner: 'root', group: undefined }],
    ['', { uid: undefined, gid: undefined, mode: undefined, owner: undefined, group: undefined }],
  ])('%j', (line, want) => expect(parseStatLine(line)).toEqual(want));
});

describe('package lists', () => {
  it('dpkg-query: only fully installed packages count (issue 8 Found #6: not iU/iF/iH/iW/it/iiR)', () => {
    expect(
      parseDpkgQuery(
        'docker-ce\t5:28.3.2-1~debian.12~bookworm\tii \ndocker.io\t20.10.24+dfsg1-1+b3\trc \nrunc\t\tun \n' +
          'containerd.io\t1.7.27-1\thi \ndocker-ce-cli\t5:28.3.2-1\tiF \npodman\t4.3.1\tpn \n' +
          'docker-buildx-plugin\t0.25\tiU \ndocker-compose-plugin\t2.38\tiH \ncontainerd\t1.6\tiW \n' +
          'docker-doc\t1\tit \ndocker-ce-rootless-extras\t5:28\tiiR\n',
      ),
    ).toEqual({ 'docker-ce': '5:28.3.2-1~debian.12~bookworm', 'containerd.io': '1.7.27-1' });
  });
  it('rpm -q --qf: epoch kept when set, "(none)" dropped, not-installed lines skipped', () => {
    expect(
      parseRpmQuery('docker-ce\t3:28.3.2-1.el9\npackage podman is not installed\ncontainerd.io\t(none):1.7.27-3.1.el9\n'),
    ).toEqual({ 'docker-ce': '3:28.3.2-1.el9', 'containerd.io': '1.7.27-3.1.el9' });
  });
  it('pacman -Q', () => {
    expect(parsePacmanQuery('docker 1:28.3.2-1\ncontainerd 2.1.3-1\nerror: package \'podman\' was not found\n'))
      .toEqual({ docker: '1:28.3.2-1', containerd: '2.1.3-1' });
  });
  it('apk installed db, filtered to the wanted names', () => {
    expect(parseApkInstalled('P:docker\nV:27.3.1-r3\nP:musl\nV:1.2.5-r0\nP:docker-cli\nV:27.3.1-r3\n', ['docker', 'docker-cli']))
      .toEqual({ docker: '27.3.1-r3', 'docker-cli': '27.3.1-r3' });
  });
});

describe('parseDfFreePercent', () => {
  it.each([
    ['Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda1 100 25 75 25% /\n', 75],
    ['Filesystem Inodes IUsed IFree IUse% Mounted on\n/dev/vda1 1000 999 1 100% /\n', 0.1],
    // A long device name on its own line (non-POSIX df output).
    ['Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/mapper/very-long-name\n 200 150 50 75% /\n', 25],
    ['Filesystem Inodes IUsed IFree IUse% Mounted on\n/dev/vda4 0 0 0 - /\n', undefined],
    ['', undefined],
    ['df: /x: No such file or directory\n', undefined],
  ])('%j → %s', (text, want) => expect(parseDfFreePercent(text)).toBe(want));
});

describe('id and group database', () => {
  it('id lists', () => {
    expect(parseIdList('ubuntu adm  sudo\n')).toEqual(['ubuntu', 'adm', 'sudo']);
    expect(parseIdList(undefined)).toEqual([]);
  });
  it.each([
    ['docker:x:988:alice,bob', { name: 'docker', gid: 988, members: ['alice', 'bob'] }],
    ['docker:x:105:', { name: 'docker', gid: 105, members: [] }],
    ['docker:!:999', { name: 'docker', gid: 999, members: [] }],
    ['garbage', undefined],
    ['', undefined],
  ])('%j', (line, want) => expect(parseGroupLine(line)).toEqual(want));
});

describe('tool outputs', () => {
  it.each([
    ['status: done\n', 'done'],
    ['status: running', 'running'],
    ['\nstatus: error\nextended_status: error - done\n', 'error'],
    ['status: disabled', 'disabled'],
    ['', undefined],
  ])('cloud-init %j', (text, want) => expect(parseCloudInitStatus(text)).toBe(want));

  it.each([
    ['dnf5 version 5.2.15.0\ndnf5 plugin API version 2.0\n', 'dnf5'],
    ['4.14.0\n  Installed: dnf-0:4.14.0-9.el9.noarch at Tue 14 May 2024\n', 'dnf4'],
    ['5.2.6\n', 'dnf5'],
    ['', undefined],
  ])('dnf --version %j', (text, want) => expect(parseDnfVersion(text)).toBe(want));

  it.each([
    ['Docker version 28.3.2, build 578ccf6', '28.3.2'],
    ['Docker version 20.10.24+dfsg1, build 297e128', '20.10.24'],
    ['containerd containerd.io 1.7.27 05044ec0a9a7', '1.7.27'],
    ['containerd github.com/containerd/containerd/v2 v2.0.0 207ad711', '2.0.0'],
    ['containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3', '1.6.20'],
    ['', undefined],
    [undefined, undefined],
  ])('version %j', (text, want) => expect(parseToolVersion(text)).toBe(want));

  it.each([
    ['6.8.0-45-generic', 6, 8],
    ['3.10.0-1160.el7.x86_64', 3, 10],
    ['', 0, 0],
  ])('kernel %s', (release, major, minor) => expect(parseKernelRelease(release)).toEqual({ release, major, minor }));

  it('xfs ftype and d_type per filesystem', () => {
    expect(parseXfsFtype('naming   =version 2   bsize=4096   ascii-ci=0, ftype=1')).toBe(true);
    expect(parseXfsFtype('naming   =version 2   bsize=4096   ascii-ci=0, ftype=0')).toBe(false);
    expect(parseXfsFtype('xfs_info: cannot open')).toBeUndefined();
    expect(fsSupportsDType('ext4', undefined)).toBe(true);
    expect(fsSupportsDType('ext2/ext3', undefined)).toBe(true);
    expect(fsSupportsDType('xfs', false)).toBe(false);
    expect(fsSupportsDType('xfs', undefined)).toBeUndefined();
    expect(fsSupportsDType('overlay', undefined)).toBe(false);
    expect(fsSupportsDType('nfs4', undefined)).toBeUndefined();
    expect(fsSupportsDType(undefined, true)).toBeUndefined();
  });

  it('/proc/locks: holders only (not waiters, not OFD locks without a pid)', () => {
    expect(
      parseProcLocks(
        '1: POSIX  ADVISORY  WRITE 3120 103:01:262311 0 EOF\n2: -> POSIX  ADVISORY  WRITE 3301 103:01:262311 0 EOF\n' +
          '3: OFDLCK ADVISORY  READ  -1 00:06:1040 0 EOF\n4: FLOCK  ADVISORY  WRITE 702 00:19:1183 0 EOF\n',
      ),
    ).toEqual([{ pid: 3120, inode: 262311 }, { pid: 702, inode: 1183 }]);
  });
});

describe('detection', () => {
  it.each([
    [{ systemd_booted: 'yes', pid1: 'systemd' }, 'systemd'],
    [{ systemd_booted: 'yes' }, 'systemd'],
    [{ systemd_booted: 'no', pid1: 'systemd' }, 'systemd'],
    [{ systemd_booted: 'no', pid1: 'init', openrc: 'yes' }, 'openrc'],
    [{ systemd_booted: 'no', pid1: 'openrc-init' }, 'openrc'],
    [{ systemd_booted: 'no', pid1: 'init', openrc: 'no' }, 'sysvinit'],
    [{ systemd_booted: 'no', pid1: 'init', wsl: 'yes' }, 'none'],
    [{ systemd_booted: 'yes', pid1: 'systemd', wsl: 'yes' }, 'systemd'],
    [{ systemd_booted: 'no', pid1: 'bash' }, 'none'],
    [{ systemd_booted: 'no', pid1: 'process_api' }, 'none'],
    [{}, 'none'],
  ])('init %j → %s', (kv, want) => expect(detectInitSystem(kv as Record<string, string>)).toBe(want));

  it.each([
    [{ detect_virt: 'systemd-nspawn' }, 'systemd-nspawn'],
    [{ detect_virt: 'none', dockerenv: 'yes' }, 'docker'],
    [{ systemd_container: 'lxc' }, 'lxc'],
    [{ pid1_container: 'podman' }, 'podman'],
    [{ containerenv: 'yes' }, 'podman'],
    [{ detect_virt: 'none' }, undefined],
    [{}, undefined],
  ])('container %j → %s', (kv, want) => expect(detectContainer(kv as Record<string, string>)).toBe(want));

  it.each([
    [{ 'apt-get': 'yes', dpkg: 'yes', rpm: 'yes' }, undefined, 'apt'],
    [{ dnf: 'yes', dnf5: 'yes' }, 'dnf5 version 5.2.15.0', 'dnf5'],
    [{ dnf: 'yes' }, '4.14.0\n', 'dnf4'],
    [{ dnf: 'yes', dnf5: 'yes' }, undefined, 'dnf5'],
    [{ dnf: 'yes' }, undefined, 'dnf4'],
    [{ dnf5: 'yes' }, undefined, 'dnf5'],
    [{ yum: 'yes' }, undefined, 'yum'],
    [{ zypper: 'yes', rpm: 'yes' }, undefined, 'zypper'],
    [{ pacman: 'yes' }, undefined, 'pacman'],
    [{ apk: 'yes' }, undefined, 'apk'],
    [{ 'apt-get': 'no', dpkg: 'yes' }, undefined, 'unknown'],
  ])('package manager %j %j → %s', (kv, dnf, want) =>
    expect(detectPackageManager(kv as Record<string, string>, dnf)).toBe(want),
  );
});

describe('parseAccounts (the accounts asked about)', () => {
  it.each<[string, Record<string, string>, string[] | undefined, Record<string, boolean> | undefined]>([
    ['each name answered', { root: 'yes', ghost: 'no' }, ['root', 'ghost'], { root: true, ghost: false }],
    ['a name asked twice is answered once', { root: 'yes' }, ['root', 'root'], { root: true }],
    ['nobody asked', {}, undefined, undefined],
    ['a name without an answer: could not tell', { root: 'yes' }, ['root', 'ghost'], undefined],
    ['an answer that is not yes or no', { root: 'maybe' }, ['root'], undefined],
    ['the host adds a name nobody asked about', { root: 'yes', mallory: 'yes' }, ['root'], undefined],
  ])('%s', (_name, kv, asked, want) => expect(parseAccounts(kv, asked)).toEqual(want));

  it('through the whole parse: only when asked', () => {
    const out = frame({ accounts: { kv: { deploy: 'no' } } });
    expect(parseProbeOutput('h', out, { accounts: ['deploy'] }).accounts).toEqual({ deploy: false });
    expect('accounts' in parseProbeOutput('h', out)).toBe(false);
  });
});
