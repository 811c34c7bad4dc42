/**
 * Step rootless: {facts, options} → commands (test/fixtures/plan/step-table.ts), the refusals with
 * their fixes, the note about the rootless alternative on the docker-group path, and convergence from
 * what a non-root probe can see (lingering, IDs, the daemon in the user's docker.service, the record).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PreconditionError } from '../../src/core/errors.js';
import type { RootlessFacts, RootlessUserFacts } from '../../src/facts/areas/rootless.js';
import type { Facts } from '../../src/facts/types.js';
import { planForHost } from '../../src/plan/build.js';
import { renderPlan } from '../../src/plan/render.js';
import { rootlessRecord, rootlessUnit, ROOTLESS_ALTERNATIVE_NOTE } from '../../src/plan/steps/rootless.js';
import { factsFor, playbooks } from '../fixtures/facts/build.js';
import { decideStep, stepTable } from '../fixtures/plan/step-table.js';

const DISTRO_UNIT = rootlessUnit('/usr/share/docker.io/contrib');

function user(uid: number, patch: Partial<RootlessUserFacts> = {}): RootlessUserFacts {
  return { uid, home: `/home/u${uid}`, linger: false, manager: 'inactive', daemons: [], record: { path: 'r', exists: false }, ...patch };
}

/** A host that has everything rootless needs but the per-user setup: the distro packages, deploy's IDs taken. */
function rootlessHost(f: Facts, patch: (r: RootlessFacts) => void = () => {}): void {
  for (const p of ['rootlesskit', 'uidmap', 'dbus-user-session', 'slirp4netns']) f.packages[p] = '1.0';
  const ranges = [{ owner: 'deploy', start: 100_000, count: 65_536 }];
  const content = 'deploy:100000:65536\n';
  f.rootless = {
    kernel: { apparmorProfiles: [], cgroup2: true, binaries: {} },
    subuid: { path: '/etc/subuid', exists: true, ranges, content },
    subgid: { path: '/etc/subgid', exists: true, ranges, content },
    users: { alice: user(1001), bob: user(1002) },
  };
  patch(f.rootless);
}

const converged = (r: RootlessFacts, name: string, uid: number, unit = DISTRO_UNIT) => {
  r.users[name] = user(uid, { linger: true, manager: 'active', daemons: [{ pid: 77, userService: true }], record: { path: 'r', exists: true, content: rootlessRecord(unit, uid) } });
  for (const f of [r.subuid, r.subgid]) f.ranges!.push({ owner: name, start: 200_000 + uid, count: 65_536 });
};

const opts = { rootless: true, source: 'distro' as const, users: ['alice'] };

stepTable('rootless', [
  { name: 'not asked: nothing', release: 'debian-12', expect: { reason: 'ok: no user asked for rootless Docker (--rootless)', commands: [] } },
  {
    name: 'a fresh user: packages, IDs after the existing range, lingering, the user service',
    release: 'debian-12',
    options: opts,
    facts: (f) => rootlessHost(f, (r) => void delete f.packages.slirp4netns),
    expect: {
      reason: 'not installed: slirp4netns; no subordinate IDs: alice; alice: not lingering; alice: not set up',
      commands: [
        { summary: 'install slirp4netns', has: ['apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install -y slirp4netns'] },
        { summary: 'subordinate IDs for alice 165536–231071 (/etc/subuid, /etc/subgid)', has: ['usermod --add-subuids 165536-231071 --add-subgids 165536-231071 alice'] },
        { summary: 'enable lingering for alice (the user manager runs without a login, and after logout)', lines: ['loginctl enable-linger alice'] },
        { summary: "alice: rootless daemon as alice's user service docker.service, context rootless (/run/user/1001/docker.sock)", has: ['systemctl start "user@$uid.service"', "[ \"$uid\" = 1001 ] || { echo 'alice'\\''s uid is no longer 1001; run dockhand again' >&2; exit 1; }"] },
      ],
    },
  },
  {
    name: 'two users get ranges that do not overlap each other',
    release: 'debian-12',
    options: { ...opts, users: ['alice', 'bob'] },
    facts: (f) => rootlessHost(f, (r) => {
      r.users.alice!.linger = true;
      r.users.bob!.linger = true;
    }),
    expect: {
      reason: 'no subordinate IDs: alice, bob; alice: not set up; bob: not set up',
      commands: [
        { summary: 'subordinate IDs for alice 165536–231071, bob 231072–296607 (/etc/subuid, /etc/subgid)', has: ['usermod --add-subuids 231072-296607 --add-subgids 231072-296607 bob'] },
        { summary: "alice: rootless daemon as alice's user service docker.service, context rootless (/run/user/1001/docker.sock)" },
        { summary: "bob: rootless daemon as bob's user service docker.service, context rootless (/run/user/1002/docker.sock)" },
      ],
    },
  },
  {
    name: 'converged: the record matches and the daemon runs as her user service',
    release: 'debian-12',
    options: opts,
    facts: (f) => rootlessHost(f, (r) => converged(r, 'alice', 1001)),
    expect: { reason: 'ok: rootless Docker set up and running for alice', commands: [] },
  },
  {
    name: 'her dockerd runs, but not as her user service (started by hand): set up again',
    release: 'debian-12',
    options: opts,
    facts: (f) => rootlessHost(f, (r) => {
      converged(r, 'alice', 1001);
      r.users.alice!.daemons = [{ pid: 5, userService: false }];
    }),
    expect: { reason: 'alice: daemon not running as the user service', commands: [{ summary: "alice: rootless daemon as alice's user service docker.service, context rootless (/run/user/1001/docker.sock)" }] },
  },
  {
    name: 'a record of another unit (the docker source now): set up again',
    release: 'debian-12',
    options: { ...opts, source: 'docker' },
    facts: (f) => rootlessHost(f, (r) => {
      converged(r, 'alice', 1001);
      f.packages['docker-ce-rootless-extras'] = '5:28';
    }),
    expect: { reason: 'alice: set up differently', commands: [{ summary: "alice: rootless daemon as alice's user service docker.service, context rootless (/run/user/1001/docker.sock)" }] },
  },
  {
    name: 'a range by numeric uid counts as hers',
    release: 'debian-12',
    options: opts,
    facts: (f) => rootlessHost(f, (r) => {
      converged(r, 'alice', 1001);
      for (const file of [r.subuid, r.subgid]) file.ranges = file.ranges!.map((x) => (x.owner === 'alice' ? { ...x, owner: '1001' } : x));
    }),
    expect: { reason: 'ok: rootless Docker set up and running for alice', commands: [] },
  },
]);

describe('step rootless', () => {
  const refusal = (patch: (f: Facts) => void, options = opts) => {
    try {
      decideStep('rootless', { name: '', release: 'ubuntu-24.04', options, facts: (f) => { rootlessHost(f); patch(f); }, expect: { reason: '', commands: [] } });
    } catch (err) {
      expect(err).toBeInstanceOf(PreconditionError);
      return `${(err as PreconditionError).message} | ${(err as PreconditionError).hint}`;
    }
    throw new Error('no refusal');
  };

  it.each<[string, (f: Facts) => void, RegExp]>([
    ['userns switched off (Debian sysctl)', (f) => void (f.rootless!.kernel.usernsClone = 0), /unprivileged_userns_clone = 0.*\| echo 'kernel.unprivileged_userns_clone = 1' > \/etc\/sysctl.d\/50-rootless.conf/],
    ['max_user_namespaces 0', (f) => void (f.rootless!.kernel.maxUserNamespaces = 0), /max_user_namespaces = 0/],
    ['Ubuntu 24.04 AppArmor restriction without a profile', (f) => void (f.rootless!.kernel.apparmorRestrict = 1), /AppArmor restricts.*\| write \/etc\/apparmor.d\/rootlesskit .*userns/],
    ['a broken subuid line', (f) => Object.assign(f.rootless!.subuid, { ranges: undefined, badLine: 3 }), /\/etc\/subuid:3 is not NAME:START:COUNT/],
    ['an unreadable subgid', (f) => void (f.rootless!.subgid.ranges = undefined), /\/etc\/subgid could not be read/],
    ['a range too small', (f) => void f.rootless!.subuid.ranges!.push({ owner: 'alice', start: 300_000, count: 1000 }), /alice has 1000 subordinate IDs in \/etc\/subuid; rootless Docker needs 65536/],
    ['no passwd entry', (f) => void (f.rootless!.users.alice = user(1001, { uid: undefined })), /no account for alice/],
    ['no systemd', (f) => void (f.init.system = 'openrc'), /systemd user service.*openrc/],
    ['no rootless area in the facts', (f) => void delete f.rootless, /say nothing about user namespaces/],
  ])('refuses: %s', (_n, patch, want) => {
    expect(refusal(patch)).toMatch(want);
  });

  it('an AppArmor profile for rootlesskit lifts the Ubuntu refusal', () => {
    const r = decideStep('rootless', { name: '', release: 'ubuntu-24.04', options: opts, facts: (f) => rootlessHost(f, (x) => Object.assign(x.kernel, { apparmorRestrict: 1, apparmorProfiles: ['rootlesskit'] })), expect: { reason: '', commands: [] } });
    expect(r.commands.length).toBeGreaterThan(0);
  });

  it('refuses a distribution whose playbook has no rootless step', () => {
    expect(() => planForHost(factsFor('fedora-42', 'fresh', (f) => rootlessHost(f)), playbooks, { ...opts, loginUser: 'admin' })).toThrow(/playbook fedora says nothing about it/);
  });

  it('says which daemon the user reaches, and a missing cpu delegation', () => {
    const r = decideStep('rootless', { name: '', release: 'debian-12', options: opts, facts: (f) => rootlessHost(f, (x) => void (x.users.alice!.delegated = ['memory', 'pids'])), expect: { reason: '', commands: [] } });
    expect(r.notes[0]).toBe('alice reaches their own rootless daemon at unix:///run/user/1001/docker.sock (docker context rootless, the CLI\'s current context); SDKs that read only DOCKER_HOST need DOCKER_HOST=unix:///run/user/1001/docker.sock');
    expect(r.notes[1]).toMatch(/not delegated cpu\/io \(has: memory pids\).*Delegate=cpu cpuset io memory pids/);
  });

  it('--rootless users are not added to the docker group, and verify leaves them to step rootless', () => {
    const plan = planForHost(factsFor('debian-12', 'fresh', (f) => rootlessHost(f)), playbooks, { ...opts, loginUser: 'admin' });
    const text = renderPlan(plan);
    expect(text).not.toContain('usermod -aG docker');
    expect(text).not.toContain('docker answers alice without sudo');
    expect(plan.steps.find((s) => s.id === 'users')!.reason).toBe('group docker does not exist');
  });

  it('the docker-group path says once that rootless is the alternative without root-equivalence', () => {
    const text = renderPlan(planForHost(factsFor('debian-12', 'fresh'), playbooks, { loginUser: 'admin', users: ['alice', 'bob'] }));
    expect(text.split(ROOTLESS_ALTERNATIVE_NOTE).length - 1).toBe(1);
  });

  it('the unit is the one dockerd-rootless-setuptool.sh writes, with the source\'s directory', () => {
    expect(DISTRO_UNIT).toContain('ExecStart=/usr/share/docker.io/contrib/dockerd-rootless.sh\n');
    expect(DISTRO_UNIT).toContain('Delegate=yes\n');
    expect(DISTRO_UNIT).toContain('WantedBy=default.target\n');
  });
});

describe('a whole rootless plan (golden)', () => {
  it('Debian 12, distro packages, alice and bob: test/golden/plans/debian-12.rootless.txt', () => {
    const plan = planForHost(factsFor('debian-12', 'converged', (f) => rootlessHost(f)), playbooks, { ...opts, users: ['alice', 'bob'], loginUser: 'admin' });
    const text = renderPlan(plan);
    const path = fileURLToPath(new URL('../golden/plans/debian-12.rootless.txt', import.meta.url));
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(path, text);
    expect(text).toBe(readFileSync(path, 'utf8'));
  });
});
