import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { keyFileFacts } from '../../src/facts/areas/repository.js';
import { parseServiceEnabled } from '../../src/facts/areas/services.js';
import { parseProbeOutput } from '../../src/facts/parse.js';
import { frame } from '../fixtures/probe/frame.js';

const KEY = readFileSync(new URL('../fixtures/keys/ed25519.asc', import.meta.url), 'utf8');
const KEY_FPR = 'BED1850A4B88FBB0A6EE30D7C9B37B7D09D6BF98';

describe('parseServiceEnabled (OpenRC default runlevel)', () => {
  it.each<[string, Record<string, string>, unknown]>([
    ['both enabled', { enabled_docker: 'yes', enabled_containerd: 'yes' }, { docker: true, containerd: true }],
    ['docker not in the runlevel', { enabled_docker: 'no', enabled_containerd: 'yes' }, { docker: false, containerd: true }],
    ['containerd without an init script', { enabled_docker: 'yes' }, { docker: true }],
    ['nothing to tell (no /etc/runlevels, no scripts)', { docker: '0' }, undefined],
  ])('%s', (_name, kv, expected) => {
    expect(parseServiceEnabled(kv)).toEqual(expected);
  });
});

describe('keyFileFacts', () => {
  it.each<[string, Parameters<typeof keyFileFacts>[0], unknown]>([
    ['not emitted', undefined, undefined],
    ['missing', { path: '/k', exists: false }, { path: '/k', exists: false }],
    ['unreadable', { path: '/k', exists: true }, { path: '/k', exists: true, fingerprints: undefined }],
    ['binary keyring, not armour', { path: '/k', exists: true, content: '\u0099\u0001\u000d' }, { path: '/k', exists: true, fingerprints: undefined }],
    ['armoured key', { path: '/k', exists: true, content: KEY }, { path: '/k', exists: true, fingerprints: [KEY_FPR] }],
  ])('%s', (_name, file, expected) => {
    expect(keyFileFacts(file)).toEqual(expected);
  });
});

describe('parseProbeOutput: repository files and runlevels', () => {
  const repo = '[docker-ce-stable]\nbaseurl=https://download.docker.com/linux/rhel/9/$basearch/stable\ngpgkey=file:///etc/pki/rpm-gpg/docker-ce.asc\n';

  it('apt: the keyring is lifted out of the source files, with its fingerprint', () => {
    const f = parseProbeOutput('h', frame({
      apt_sources: { kv: { apt: 'yes' }, files: { '/etc/apt/sources.list.d/docker.sources': 'Types: deb\n', '/etc/apt/keyrings/docker.asc': KEY } },
    }));
    expect(f.aptSources!.files.map((x) => x.path)).toEqual(['/etc/apt/sources.list.d/docker.sources']);
    expect(f.aptSources!.keyring).toEqual({ path: '/etc/apt/keyrings/docker.asc', exists: true, fingerprints: [KEY_FPR] });
    expect(f.rpmRepo).toBeUndefined();
  });

  it('rpm: the .repo file and its local key', () => {
    const f = parseProbeOutput('h', frame({
      rpm_repo: { files: { '/etc/yum.repos.d/docker-ce.repo': repo, '/etc/pki/rpm-gpg/docker-ce.asc': null } },
      services: { kv: { docker: '0', enabled_docker: 'no' } },
    }));
    expect(f.rpmRepo).toEqual({
      file: { path: '/etc/yum.repos.d/docker-ce.repo', exists: true, content: repo },
      key: { path: '/etc/pki/rpm-gpg/docker-ce.asc', exists: false },
    });
    expect(f.serviceRunning).toEqual({ docker: true, containerd: undefined });
    expect(f.serviceEnabled).toEqual({ docker: false });
    expect(f.aptSources).toBeUndefined();
  });

  it('a probe without the sections (older version): not gathered, not "absent"', () => {
    const f = parseProbeOutput('h', frame({ apt_sources: { kv: { apt: 'yes' } } }));
    expect(f.aptSources).toEqual({ files: [], legacyKeys: [] });
    expect(f.rpmRepo).toBeUndefined();
    expect(f.serviceEnabled).toBeUndefined();
  });
});

describe('parseProbeOutput: an interrupted dpkg (issue 8 Found #6)', () => {
  const audit = 'The following packages are only half configured, probably due to problems\nconfiguring them the first time.\n docker-ce   Docker: the open-source application container engine\n';
  it.each<[string, Record<string, string>, Record<string, [number | null, string]>, boolean | undefined]>([
    ['dpkg --audit lists half-configured packages', { dpkg_updates: '0' }, { dpkg_audit: [0, audit] }, true],
    ['journal entries left in /var/lib/dpkg/updates', { dpkg_updates: '2' }, { dpkg_audit: [0, ''] }, true],
    ['a clean dpkg', { dpkg_updates: '0' }, { dpkg_audit: [0, ''] }, false],
    ['not a dpkg host', {}, {}, undefined],
  ])('%s', (_name, kv, commands, expected) => {
    expect(parseProbeOutput('h', frame({ packages: { kv, commands } })).dpkgInterrupted).toBe(expected);
  });
});
