import { describe, expect, it } from 'vitest';
import { DockhandError, InputError, PreconditionError, UsageError } from '../../src/core/errors.js';
import type { Facts } from '../../src/facts/types.js';
import { planForHost } from '../../src/plan/build.js';
import type { PlanOptions } from '../../src/plan/context.js';
import type { Plan } from '../../src/plan/model.js';
import { versionSatisfies } from '../../src/plan/steps/packages.js';
import { factsFor, playbooks, type HostState } from '../fixtures/facts/build.js';

type Opts = PlanOptions & { os?: string; codename?: string };
/** `loginUser` is what the transport knows (the fixtures' SSH login user is admin). */
const plan = (name: string, state: HostState, patch?: (f: Facts) => void, opts: Opts = {}) =>
  planForHost(factsFor(name, state, patch), playbooks, { loginUser: 'admin', ...opts });
const step = (p: Plan, id: string) => p.steps.find((s) => s.id === id)!;
const scripts = (p: Plan, id: string) => step(p, id).commands.map((c) => c.script).join('\n');

describe('remove-conflicts', () => {
  it('removes only the conflicting packages that are installed', () => {
    const p = plan('ubuntu-24.04', 'fresh', (f) => {
      f.packages['docker.io'] = '24.0.7-0ubuntu4';
      f.packages.runc = '1.1.12-0ubuntu3';
    });
    expect(scripts(p, 'remove-conflicts')).toContain('remove -y docker.io runc');
    expect(step(p, 'remove-conflicts').notes[0]).toMatch(/^removes docker.io, runc/);
  });

  it('does nothing with source distro', () => {
    const p = plan('debian-12', 'fresh', (f) => void (f.packages['docker.io'] = '20.10'), { source: 'distro' });
    expect(step(p, 'remove-conflicts').commands).toEqual([]);
    expect(scripts(p, 'packages')).toContain('install -y docker.io containerd');
  });
});

describe('services restart only on change', () => {
  it('a converged host is not restarted', () => {
    const p = plan('debian-12', 'converged');
    expect(step(p, 'services').commands).toEqual([]);
    expect(p.steps.some((s) => s.restartsDocker)).toBe(false);
  });

  it('a running daemon is restarted when daemon.json changes, other keys kept', () => {
    const p = plan('debian-12', 'converged', (f) => {
      f.daemonJson = { path: '/etc/docker/daemon.json', exists: true, content: '{ "log-level": "warn" }\n' };
    });
    expect(step(p, 'services').restartsDocker).toBe(true);
    expect(scripts(p, 'services')).toBe('set -eu\nsystemctl reset-failed docker.service 2>/dev/null || true\nsystemctl try-restart docker.service');
    expect(scripts(p, 'storage')).toContain('"log-level": "warn"');
    // The apply script checks the file still has the content the plan saw.
    expect(scripts(p, 'storage')).toMatch(/if \[ "\$now" != [0-9a-f]{64} \]/);
  });

  it('OpenRC hosts use rc-update / rc-service', () => {
    expect(scripts(plan('alpine-3.22', 'fresh'), 'services')).toContain('rc-update add docker default');
  });

  it('OpenRC: running but not in the default runlevel is enabled (not restarted)', () => {
    const p = plan('alpine-3.22', 'converged', (f) => void (f.serviceEnabled = { docker: false, containerd: true }));
    expect(step(p, 'services').reason).toBe('not enabled at boot: docker');
    expect(scripts(p, 'services')).toContain('rc-update add docker default');
    expect(scripts(p, 'services')).not.toContain('restart');
    expect(plan('alpine-3.22', 'converged').steps.flatMap((s) => s.commands)).toEqual([]);
  });

  it('hosts without an init system use service', () => {
    const p = plan('debian-12', 'fresh', (f) => void (f.init = { system: 'none', hasServiceCommand: true, wsl: true }));
    expect(scripts(p, 'services')).toContain('else service docker start; fi');
    // Debian's containerd has no init script (dockerd runs its own containerd then): skipped, not failed.
    expect(scripts(p, 'services')).toContain(
      'if [ -e /etc/init.d/containerd ]; then if service containerd status >/dev/null 2>&1; then :; else service containerd start; fi; fi',
    );
  });
});

describe('repository', () => {
  it('verifies the pinned key fingerprint before installing it', () => {
    const s = scripts(plan('debian-13', 'fresh'), 'repository');
    expect(s).toContain('gpg --batch --show-keys --with-colons "$work/key"');
    expect(s).toContain(`if [ "$found" != 9DC858229FC7DD38854AE2D88D81803C0EBFCD88 ]; then`);
    expect(s.indexOf('fpr')).toBeLessThan(s.indexOf('install -m 0644 "$work/key" /etc/apt/keyrings/docker.asc'));
  });

  it('--mirror and --key-fingerprint replace the download base and the pinned key', () => {
    const p = plan('ubuntu-22.04', 'fresh', undefined, {
      mirror: 'https://mirror.example.test/docker/',
      keyFingerprint: '0123 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567',
      channel: 'test',
    });
    const s = scripts(p, 'repository');
    expect(s).toContain('https://mirror.example.test/docker/linux/ubuntu/gpg');
    expect(s).toContain('0123456789ABCDEF0123456789ABCDEF01234567');
    expect(s).toContain('URIs: https://mirror.example.test/docker/linux/ubuntu\nSuites: jammy\nComponents: test\nArchitectures: amd64');
  });

  it('rpm hosts get a .repo file pointing at the verified local key', () => {
    const s = scripts(plan('rhel-9', 'fresh'), 'repository');
    expect(s).toContain('baseurl=https://download.docker.com/linux/rhel/9/$basearch/stable');
    expect(s).toContain('gpgkey=file:///etc/pki/rpm-gpg/docker-ce.asc');
    expect(s).toContain('rpm --import /etc/pki/rpm-gpg/docker-ce.asc');
  });

  it('legacy apt leftovers are removed even on an otherwise configured host', () => {
    const p = plan('ubuntu-24.04', 'converged', (f) => {
      f.aptSources!.files.push({ path: '/etc/apt/sources.list.d/docker.list', exists: true, content: 'deb [arch=amd64] https://x/linux/ubuntu noble stable' });
      f.aptSources!.legacyKeys.push('/etc/apt/trusted.gpg.d/docker.gpg');
    });
    expect(scripts(p, 'repository')).toBe('set -eu\nrm -f /etc/apt/sources.list.d/docker.list /etc/apt/trusted.gpg.d/docker.gpg');
  });

  const PINNED = '9DC858229FC7DD38854AE2D88D81803C0EBFCD88';
  const WRONG = 'BED1850A4B88FBB0A6EE30D7C9B37B7D09D6BF98';
  const fetchesKey = (p: Plan) => scripts(p, 'repository').includes('curl -fsSL');

  it.each<[string, (f: Facts) => void, RegExp]>([
    ['missing', (f) => void (f.aptSources!.keyring = { path: '/etc/apt/keyrings/docker.asc', exists: false }), /docker\.asc is missing/],
    ['another key', (f) => void (f.aptSources!.keyring!.fingerprints = [WRONG]), new RegExp(`holds ${WRONG}, not the expected key ${PINNED}`)],
    ['an extra key', (f) => void f.aptSources!.keyring!.fingerprints!.push(WRONG), /not the expected key/],
    ['unreadable', (f) => void delete f.aptSources!.keyring!.fingerprints, /not a readable ASCII-armoured key/],
    ['not inspected (older probe)', (f) => void delete f.aptSources!.keyring, /was not inspected/],
  ])('apt keyring %s on a converged host: key re-fetched and verified, source left alone', (_name, damage, why) => {
    const p = plan('debian-13', 'converged', damage);
    expect(step(p, 'repository').reason).toMatch(why);
    expect(fetchesKey(p)).toBe(true);
    expect(scripts(p, 'repository')).not.toContain('docker.sources');
    // The key needs curl and gpg: prerequisites are checked again.
    expect(step(p, 'prerequisites').reason).not.toBe('no key to download');
  });

  it('--key-fingerprint other than the installed key re-fetches it', () => {
    const p = plan('ubuntu-24.04', 'converged', undefined, { keyFingerprint: WRONG });
    expect(step(p, 'repository').reason).toContain(`not the expected key ${WRONG}`);
    expect(fetchesKey(p)).toBe(true);
  });

  it('a source rewrite with the right key already installed does not re-fetch it', () => {
    const p = plan('ubuntu-24.04', 'converged', undefined, { channel: 'test' });
    expect(scripts(p, 'repository')).toContain('Components: test');
    expect(fetchesKey(p)).toBe(false);
  });

  it.each<[string, (f: Facts) => void, RegExp, boolean]>([
    ['repo file missing', (f) => void (f.rpmRepo!.file = { path: '/etc/yum.repos.d/docker-ce.repo', exists: false }), /docker-ce\.repo is missing/, false],
    ['baseurl elsewhere', (f) => void (f.rpmRepo!.file.content = f.rpmRepo!.file.content!.replace(/baseurl=\S+/, 'baseurl=https://old.example.test/x')), /differs/, false],
    ['gpgkey fetched unchecked', (f) => void (f.rpmRepo!.file.content = f.rpmRepo!.file.content!.replace(/gpgkey=\S+/g, 'gpgkey=https://x/gpg')), /differs/, false],
    ['key file missing', (f) => void (f.rpmRepo!.key = { path: '/etc/pki/rpm-gpg/docker-ce.asc', exists: false }), /docker-ce\.asc is missing/, true],
    ['not inspected (older probe)', (f) => void delete f.rpmRepo, /was not inspected/, true],
  ])('rpm %s with the engine installed: the step re-runs', (_name, damage, why, key) => {
    const p = plan('rhel-9', 'converged', damage);
    expect(step(p, 'repository').reason).toMatch(why);
    expect(fetchesKey(p)).toBe(key);
  });

  it('rpm: keys added by hand to the .repo file are kept; --mirror rewrites it', () => {
    const extra = plan('rhel-9', 'converged', (f) => void (f.rpmRepo!.file.content += 'priority=10\n'));
    expect(step(extra, 'repository').commands).toEqual([]);
    const mirrored = plan('rhel-9', 'converged', undefined, { mirror: 'https://mirror.example.test/docker' });
    expect(scripts(mirrored, 'repository')).toContain('baseurl=https://mirror.example.test/docker/linux/rhel/9/$basearch/stable');
    expect(fetchesKey(mirrored)).toBe(false);
  });

  it('the architecture comes from the facts', () => {
    expect(scripts(plan('raspbian-12', 'fresh'), 'repository')).toContain('URIs: https://download.docker.com/linux/raspbian\nSuites: bookworm\nComponents: stable\nArchitectures: armhf');
  });
});

describe('packages', () => {
  it('--docker-version resolves the exact version on the host and holds it (apt)', () => {
    const s = scripts(plan('ubuntu-24.04', 'fresh', undefined, { dockerVersion: '27.5' }), 'packages');
    expect(s).toContain(`apt-cache madison docker-ce | awk -F'|' -v want=27.5`);
    expect(s).toContain('--allow-change-held-packages containerd.io docker-buildx-plugin docker-compose-plugin docker-ce="$version" docker-ce-cli="$version"');
    expect(s).toContain('apt-mark hold docker-ce docker-ce-cli');
  });

  it('--docker-version on dnf uses --showduplicates and versionlock', () => {
    const s = scripts(plan('rocky-9', 'fresh', undefined, { dockerVersion: '27.5.1' }), 'packages');
    expect(s).toContain('dnf -q list --showduplicates docker-ce');
    expect(s).toContain('dnf install -y python3-dnf-plugin-versionlock');
    expect(s).toContain('dnf versionlock add docker-ce docker-ce-cli');
  });

  it('a host at the wanted version is converged; another version is reinstalled', () => {
    const at = (v: string) => (f: Facts) => {
      f.packages['docker-ce'] = v;
      f.packages['docker-ce-cli'] = v;
    };
    expect(step(plan('debian-12', 'converged', at('5:27.5.1-1~debian.12~bookworm'), { dockerVersion: '27.5' }), 'packages').commands).toEqual([]);
    expect(step(plan('debian-12', 'converged', at('5:28.0.0-1~debian.12~bookworm'), { dockerVersion: '27.5' }), 'packages').reason).toMatch(/not at 27\.5: docker-ce 5:28/);
  });

  it.each([
    ['5:27.5.1-1~debian.12~bookworm', '27.5', true],
    ['3:27.5.0-1.el9', '27.5.0', true],
    ['(none):27.5.0-1.fc42', '27.5', true],
    ['5:27.50.1-1', '27.5', false],
    ['5:28.0.0-1', '27', false],
  ])('versionSatisfies(%s, %s) = %s', (installed, wanted, expected) => {
    expect(versionSatisfies(installed, wanted)).toBe(expected);
  });

  it('--docker-version is refused where it cannot be honoured', () => {
    expect(() => plan('arch', 'fresh', undefined, { dockerVersion: '27.5' })).toThrow(PreconditionError);
    expect(() => plan('ubuntu-24.04', 'fresh', undefined, { dockerVersion: 'latest' })).toThrow(/'latest' is not a version: expected 28.1/);
  });

  it('--source docker on a distro-only playbook is a usage error', () => {
    expect(() => plan('amzn-2023', 'fresh', undefined, { source: 'docker' })).toThrow(/Amazon Linux has no 'docker' package source/);
  });
});

describe('storage', () => {
  it('an invalid daemon.json stops the plan with file and position', () => {
    const bad = (f: Facts) => void (f.daemonJson = { path: '/etc/docker/daemon.json', exists: true, content: '{"debug": true,,}' });
    expect(() => plan('debian-12', 'converged', bad)).toThrow(InputError);
    expect(() => plan('debian-12', 'converged', bad)).toThrow(/^\/etc\/docker\/daemon\.json:1:16: invalid JSON/);
  });

  it('refuses to hide data of another driver unless --allow-storage-switch', () => {
    const vfs = (f: Facts) => {
      f.daemonJson = { path: '/etc/docker/daemon.json', exists: true, content: '{"storage-driver":"vfs"}' };
      f.dockerRoot.driversWithData = ['vfs'];
      f.dockerRoot.imageCount = 4;
      f.dockerRoot.containerCount = 2;
    };
    expect(() => plan('debian-12', 'converged', vfs)).toThrow(
      'debian-12: switching the storage driver to overlay2 would hide 4 image(s) and 2 container(s) stored under vfs in /var/lib/docker',
    );
    expect(scripts(plan('debian-12', 'converged', vfs, { allowStorageSwitch: true }), 'storage')).toContain('"storage-driver": "overlay2"');
  });

  it('refuses a backing filesystem without d_type', () => {
    expect(() => plan('rhel-9', 'fresh', (f) => Object.assign(f.dockerRoot, { fsType: 'xfs', dType: false }))).toThrow(DockhandError);
  });

  it('loads the overlay module when missing and pins no snapshotter for engines < 29', () => {
    const p = plan('debian-12', 'fresh', (f) => (f.overlay = { supported: false, moduleLoaded: false, persisted: false }), { dockerVersion: '27.5' });
    expect(scripts(p, 'storage')).toContain('modprobe overlay');
    expect(scripts(p, 'storage')).not.toContain('containerd-snapshotter');
  });
});

describe('users', () => {
  it('adds the requested users, skips root, and says the group is root-equivalent', () => {
    const p = plan('debian-12', 'converged', undefined, { users: ['root', 'ci', 'admin'] });
    expect(scripts(p, 'users')).toBe(`set -eu\nid ci >/dev/null 2>&1 || { echo 'user ci does not exist on this host' >&2; exit 1; }\nusermod -aG docker ci`);
    expect(step(p, 'users').notes[0]).toMatch(/root-equivalent/);
    expect(step(p, 'users').reconnectAfter).toBeUndefined();
  });

  it('reconnects after adding the connecting user; the default user is the controller\'s login user', () => {
    expect(step(plan('debian-12', 'fresh'), 'users').reconnectAfter).toBe(true);
    const local = plan('debian-12', 'fresh', (f) => Object.assign(f.user, { name: 'root', uid: 0, sudoUser: 'alice' }), { loginUser: 'alice' });
    expect(scripts(local, 'users')).toContain('usermod -aG docker alice');
  });

  it('never takes the docker user from probe output (issue 8 Found #1: forged user/sudo_user records)', () => {
    const forged = plan('debian-12', 'fresh', (f) => Object.assign(f.user, { name: 'root', uid: 0, sudoUser: 'mallory' }));
    expect(scripts(forged, 'users')).toContain('usermod -aG docker admin');
    expect(scripts(forged, 'users')).not.toContain('mallory');
    // A controller that does not know who it acts for adds nobody rather than guess from the host.
    const unknown = plan('debian-12', 'fresh', (f) => Object.assign(f.user, { name: 'mallory' }), { loginUser: undefined });
    expect(scripts(unknown, 'users')).not.toContain('mallory');
  });

  it('Alpine uses busybox addgroup', () => {
    expect(scripts(plan('alpine-3.22', 'fresh'), 'users')).toContain('addgroup admin docker');
  });
});

describe('wait-ready', () => {
  it('finishes an interrupted dpkg run first, only when the facts say so (issue 8 Found #6)', () => {
    const p = plan('debian-12', 'converged', (f) => {
      f.dpkgInterrupted = true;
      f.locks = [{ path: '/var/lib/dpkg/lock-frontend', pid: 4242, command: 'apt-get' }];
    });
    const cmds = step(p, 'wait-ready').commands.map((c) => c.script);
    expect(cmds).toHaveLength(2);
    expect(cmds[0]).toContain('kill -0 4242');
    expect(cmds[1]).toContain('dpkg --force-confdef --force-confold --configure -a');
    expect(p.steps[0]!.id).toBe('wait-ready');
    expect(step(p, 'wait-ready').reason).toMatch(/dpkg run was interrupted/);
    expect(scripts(plan('debian-12', 'converged', (f) => (f.dpkgInterrupted = false)), 'wait-ready')).toBe('');
  });

  it('waits for cloud-init and for a lock holder, with a bound', () => {
    const p = plan('ubuntu-24.04', 'converged', (f) => {
      f.cloudInit = { present: true, status: 'running' };
      f.locks = [{ path: '/var/lib/dpkg/lock-frontend', pid: 4242, command: 'unattended-upgr' }];
    });
    const s = scripts(p, 'wait-ready');
    expect(s).toContain('timeout 600 cloud-init status --wait');
    expect(s).toContain('until ! kill -0 4242 2>/dev/null; do');
    expect(step(p, 'verify').commands.length).toBeGreaterThan(0);
  });

  it('every apt call carries the lock timeout and non-interactive settings', () => {
    const p = plan('ubuntu-24.04', 'fresh');
    const all = p.steps.flatMap((s) => s.commands.map((c) => c.script));
    for (const s of all.filter((x) => x.includes('apt-get'))) {
      for (const line of s.split('\n').filter((l) => l.includes('apt-get'))) {
        expect(line.match(/apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold/g)?.length).toBe(
          line.match(/apt-get/g)?.length,
        );
      }
      expect(s).toContain('export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1');
    }
  });
});
