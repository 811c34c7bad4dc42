/** The repository and prerequisites steps, by repository format: {facts, params} → commands (see test/fixtures/plan/step-table.ts). */
import { stepTable } from '../fixtures/plan/step-table.js';

const KEY = 'download the signing key, verify fingerprint 9DC858229FC7DD38854AE2D88D81803C0EBFCD88, install /etc/apt/keyrings/docker.asc';

stepTable('repository', [
  {
    name: 'apt, fresh: verified keyring, deb822 source',
    release: 'ubuntu-24.04',
    expect: {
      reason: '/etc/apt/sources.list.d/docker.sources is missing; /etc/apt/keyrings/docker.asc is missing',
      commands: [
        { summary: KEY, has: ['install -m 0644 "$work/key" /etc/apt/keyrings/docker.asc'] },
        { summary: 'write /etc/apt/sources.list.d/docker.sources', has: ['mv -f "$tmp" /etc/apt/sources.list.d/docker.sources'] },
      ],
    },
  },
  {
    name: 'apt, a legacy list beside a converged source: removed',
    release: 'debian-12',
    state: 'converged',
    facts: (f) => void f.aptSources!.files.push({ path: '/etc/apt/sources.list.d/docker.list', exists: true, content: 'deb https://download.docker.com/linux/debian bookworm stable\n' }),
    expect: {
      reason: 'legacy entries would conflict: /etc/apt/sources.list.d/docker.list',
      commands: [{ summary: 'remove legacy /etc/apt/sources.list.d/docker.list', lines: ['rm -f /etc/apt/sources.list.d/docker.list'] }],
    },
  },
  {
    name: 'rpm, fresh: key imported into rpm after verification, .repo file',
    release: 'rhel-9',
    expect: {
      reason: '/etc/yum.repos.d/docker-ce.repo is missing; /etc/pki/rpm-gpg/docker-ce.asc is missing',
      commands: [
        {
          summary: 'download the signing key, verify fingerprint 060A61C51B558A7F742B77AAC52FEB6B621E9F35, install /etc/pki/rpm-gpg/docker-ce.asc',
          has: ['install -m 0644 "$work/key" /etc/pki/rpm-gpg/docker-ce.asc', 'rpm --import /etc/pki/rpm-gpg/docker-ce.asc'],
        },
        { summary: 'write /etc/yum.repos.d/docker-ce.repo', has: ['mv -f "$tmp" /etc/yum.repos.d/docker-ce.repo'] },
      ],
    },
  },
  {
    name: 'rpm, converged: nothing',
    release: 'centos-stream-10',
    state: 'converged',
    expect: { reason: 'ok: https://download.docker.com/linux/centos 10 stable configured', commands: [] },
  },
  {
    name: 'no Docker repository format (zypper, distro source): nothing',
    release: 'sles-15',
    expect: { reason: 'ok: not needed with source distro', commands: [] },
  },
]);

stepTable('prerequisites', [
  {
    name: 'apt: install what the key download needs, only those missing',
    release: 'debian-13',
    facts: (f) => void (f.packages['ca-certificates'] = '20250419'),
    expect: {
      reason: 'needed to download and verify the Docker signing key: curl, gnupg',
      commands: [{ summary: 'install curl gnupg (those not installed yet)', has: ["for p in curl gnupg; do"] }],
    },
  },
  {
    name: 'rpm: installMissing asks rpm for what provides each',
    release: 'almalinux-9',
    params: { packages: ['curl'] },
    expect: {
      reason: 'needed to download and verify the Docker signing key: curl',
      commands: [{ summary: 'install curl (those not installed yet)', has: ['  rpm -q --whatprovides "$p" >/dev/null 2>&1 || missing="$missing $p"'] }],
    },
  },
  {
    name: 'the key is in place: nothing',
    release: 'ubuntu-22.04',
    state: 'converged',
    expect: { reason: 'ok: no key to download', commands: [] },
  },
]);
