/** Fact area rootless (src/facts/areas/rootless.ts): the probe's sections → RootlessFacts. */
import { describe, expect, it } from 'vitest';
import { isUserService, parseSubIds } from '../../src/facts/areas/rootless.js';
import { parseProbeOutput } from '../../src/facts/parse.js';
import { frame } from '../fixtures/probe/frame.js';

const CG = (uid: number, rest: string) => `0::/user.slice/user-${uid}.slice/user@${uid}.service/${rest}\n`;

function probe(extra: Parameters<typeof frame>[0] = {}) {
  return frame({
    rootless_kernel: {
      kv: {
        'user/max_user_namespaces': '63000',
        'kernel/apparmor_restrict_unprivileged_userns': '1',
        cgroup2: 'yes',
        'bin newuidmap': '/usr/bin/newuidmap',
        'bin contrib': '/usr/share/docker.io/contrib/dockerd-rootless.sh',
        'apparmor rootlesskit': 'yes',
      },
    },
    subids: { files: { '/etc/subuid': '# made by hand\ndeploy:100000:65536\n\n1004:165536:65536\n', '/etc/subgid': null } },
    rootless_daemons: {
      kv: { 'uid 900': '1001', 'uid 901': '1002', 'uid 902': '1001' },
      commands: { 'cgroup 900': [0, CG(1001, 'app.slice/docker.service')], 'cgroup 901': [0, '0::/user.slice/user-1002.slice/session-3.scope\n'], 'cgroup 902': [0, CG(1001, 'init.scope')] },
    },
    rootless_users: {
      kv: { 'linger alice': 'yes', 'linger bob': 'no' },
      files: { '/var/lib/dockhand/rootless/alice': 'unit-sha256 x\n', '/var/lib/dockhand/rootless/bob': null },
      commands: {
        'passwd alice': [0, 'alice:x:1001:1001:Alice,,,:/home/alice:/bin/bash\n'],
        'passwd bob': [0, 'bob:x:1002:1002::/srv/bob:/bin/sh\n'],
        'passwd mallory': [0, 'root:x:0:0:root:/root:/bin/bash\n'],
        'manager alice': [0, 'ActiveState=active\nDelegateControllers=memory pids\n'],
      },
    },
    ...extra,
  });
}

describe('rootless facts', () => {
  it('kernel switches, tools and AppArmor profiles; subordinate ID files; each user asked about', () => {
    const f = parseProbeOutput('h', probe(), { accounts: ['alice', 'bob', 'mallory'] }).rootless!;
    expect(f.kernel).toEqual({
      usernsClone: undefined,
      maxUserNamespaces: 63000,
      apparmorRestrict: 1,
      apparmorProfiles: ['rootlesskit'],
      cgroup2: true,
      binaries: { newuidmap: '/usr/bin/newuidmap', contrib: '/usr/share/docker.io/contrib/dockerd-rootless.sh' },
    });
    expect(f.subuid.ranges).toEqual([{ owner: 'deploy', start: 100000, count: 65536 }, { owner: '1004', start: 165536, count: 65536 }]);
    expect(f.subgid).toMatchObject({ exists: false, ranges: [] });
    expect(f.users.alice).toMatchObject({ uid: 1001, home: '/home/alice', linger: true, manager: 'active', delegated: ['memory', 'pids'] });
    // Only the daemon in her docker.service counts as her user service; another of hers in init.scope does not.
    expect(f.users.alice!.daemons).toEqual([{ pid: 900, userService: true }, { pid: 902, userService: false }]);
    expect(f.users.alice!.record.content).toBe('unit-sha256 x\n');
    expect(f.users.bob).toMatchObject({ uid: 1002, home: '/srv/bob', linger: false, record: { exists: false } });
    expect(f.users.bob!.daemons).toEqual([{ pid: 901, userService: false }]);
    // A passwd line for another name than the one asked is no answer for it.
    expect(f.users.mallory).toMatchObject({ uid: undefined, daemons: [] });
  });

  it('answers only for the names asked', () => {
    const f = parseProbeOutput('h', probe(), { accounts: ['alice'] }).rootless!;
    expect(Object.keys(f.users)).toEqual(['alice']);
  });

  it('a probe without the area (older recordings) says nothing', () => {
    expect(parseProbeOutput('h', frame({ os: {} }), {}).rootless).toBeUndefined();
  });

  it.each([
    ['alice:100000:65536\nbad line\n', { badLine: 2 }],
    ['alice:100000:0\n', { badLine: 1 }],
    ['alice:4294967295:2\n', { badLine: 1 }],
    ['  # only a comment\n', { ranges: [] }],
  ])('subordinate ID file %j', (content, want) => {
    expect(parseSubIds({ path: '/etc/subuid', exists: true, content }, '/etc/subuid')).toMatchObject(want);
  });

  it('an unreadable subuid file has no ranges (so nothing is allocated over it)', () => {
    expect(parseSubIds({ path: '/etc/subuid', exists: true }, '/etc/subuid').ranges).toBeUndefined();
  });

  it.each([
    [CG(1001, 'app.slice/docker.service'), 1001, true],
    [CG(1001, 'app.slice/docker.service/supervisor'), 1001, true],
    [CG(1001, 'app.slice/docker.service'), 1002, false],
    [CG(1001, 'app.slice/docker.service.bak'), 1001, false],
    ['0::/system.slice/docker.service\n', 0, false],
    ['1:name=systemd:/x\n' + CG(1001, 'app.slice/docker.service'), 1001, true],
  ])('isUserService(%j, %d) = %s', (cg, uid, want) => {
    expect(isUserService(cg, uid)).toBe(want);
  });
});
