/** The packages and storage steps: {facts, params} → commands (see test/fixtures/plan/step-table.ts). */
import { stepTable } from '../fixtures/plan/step-table.js';

const aptGet = 'apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold';
const DOCKER_CE = 'docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin';
/** A pinned install of Docker's packages at 28.1 (engine and CLI held) whose script has `has`. */
const pinned = (has: string[]) => ({ reason: /^not installed: docker-ce/, commands: [{ summary: `install ${DOCKER_CE} at 28.1 and hold docker-ce docker-ce-cli`, has }] });

stepTable('packages', [
  {
    name: 'apt, docker source: refresh, install every role',
    release: 'debian-12',
    expect: {
      reason: 'not installed: docker-ce, docker-ce-cli, containerd.io, docker-buildx-plugin, docker-compose-plugin',
      commands: [
        {
          summary: `install ${DOCKER_CE}`,
          has: ['export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1', `${aptGet} install -y ${DOCKER_CE}`],
        },
      ],
    },
  },
  {
    name: 'apt, pinned: install held packages at the resolved version and hold them',
    release: 'ubuntu-24.04',
    options: { dockerVersion: '28.1' },
    expect: pinned([
      `${aptGet} install -y --allow-downgrades --allow-change-held-packages containerd.io docker-buildx-plugin docker-compose-plugin docker-ce="$version" docker-ce-cli="$version"`,
      'apt-mark hold docker-ce docker-ce-cli',
    ]),
  },
  {
    name: 'dnf5, pinned: release an earlier versionlock first (versionlock is built in)',
    release: 'fedora-42',
    options: { dockerVersion: '28.1' },
    expect: pinned([
      'dnf versionlock delete docker-ce docker-ce-cli >/dev/null 2>&1 || true',
      'dnf install -y containerd.io docker-buildx-plugin docker-compose-plugin docker-ce-"$version" docker-ce-cli-"$version"',
      'dnf versionlock add docker-ce docker-ce-cli',
    ]),
  },
  {
    name: 'dnf4, pinned: the versionlock plugin is installed before holding',
    release: 'rocky-9',
    options: { dockerVersion: '28.1' },
    expect: pinned(['dnf install -y python3-dnf-plugin-versionlock']),
  },
  {
    name: 'apk: no pinning, one add',
    release: 'alpine-3.22',
    expect: { reason: /^not installed: docker/, commands: [{ summary: 'install docker docker-cli-buildx docker-cli-compose', lines: ['apk update', 'apk add --no-progress docker docker-cli-buildx docker-cli-compose'] }] },
  },
  {
    name: 'pacman: the install upgrades with the lists (no partial upgrades)',
    release: 'arch',
    expect: { reason: /^not installed/, commands: [{ summary: 'install docker containerd docker-buildx docker-compose', has: ['pacman -Syu --noconfirm --needed docker containerd docker-buildx docker-compose'] }] },
  },
  {
    name: 'converged: nothing',
    release: 'sles-15',
    state: 'converged',
    expect: { reason: /^ok: installed: /, commands: [] },
  },
]);

stepTable('storage', [
  {
    name: 'systemd: merge daemon.json; the module loads at boot through modules-load.d when loaded as a module',
    release: 'debian-12',
    expect: {
      reason: 'overlay module not loaded at boot; /etc/docker/daemon.json: storage-driver: (unset) → overlay2, features.containerd-snapshotter: (unset) → false',
      commands: [
        { summary: 'load overlay at boot', has: ['mv -f "$tmp" /etc/modules-load.d/overlay.conf'] },
        { summary: 'merge into /etc/docker/daemon.json (backup, validate, atomic replace)', has: ['mv -f "$tmp" /etc/docker/daemon.json'] },
      ],
    },
  },
  {
    name: 'OpenRC: the module goes into /etc/modules',
    release: 'alpine-3.22',
    state: 'converged',
    facts: (f) => void (f.overlay = { supported: true, moduleLoaded: true, persisted: false }),
    expect: {
      reason: 'overlay module not loaded at boot',
      commands: [{ summary: 'load overlay at boot', lines: ['grep -qx overlay /etc/modules 2>/dev/null || echo overlay >> /etc/modules'] }],
    },
  },
  {
    name: 'overlay not loaded: modprobe first',
    release: 'rhel-9',
    state: 'converged',
    facts: (f) => void (f.overlay = { supported: false, moduleLoaded: false, persisted: true }),
    expect: { reason: 'overlay filesystem not loaded', commands: [{ summary: 'load the overlay module', lines: ['modprobe overlay'] }] },
  },
  {
    name: 'converged: nothing',
    release: 'debian-13',
    state: 'converged',
    expect: { reason: 'ok: /etc/docker/daemon.json sets overlay2; overlay available', commands: [] },
  },
]);
