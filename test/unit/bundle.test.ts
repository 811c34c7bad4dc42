/** Air-gap bundles, the pure parts: manifest and checksum checks, the host fit, the base system, the offline install plan. */
import { describe, expect, it } from 'vitest';
import { baseStatus, parseStanzas } from '../../src/bundle/apt-root.js';
import { withBundle } from '../../src/bundle/install.js';
import { localMirrorFor } from '../../src/bundle/make.js';
import { checksumProblem, fitProblem, FORMAT, MANIFEST, parseManifest, parseSums, type BundleManifest } from '../../src/bundle/manifest.js';
import { planForHost } from '../../src/plan/build.js';
import { factsFor, playbooks } from '../fixtures/facts/build.js';

const H = (c: string) => c.repeat(64);
const manifest: BundleManifest = {
  format: FORMAT,
  os: { id: 'debian', versionId: '12', codename: 'bookworm' },
  arch: 'amd64',
  dockerVersion: '5:27.5.1-1~debian.12~bookworm',
  install: ['docker-ce', 'docker-ce-cli'],
  hold: ['docker-ce', 'docker-ce-cli'],
  sources: { docker: 'https://example.invalid/linux/debian', dockerKeyFingerprint: 'A'.repeat(40), distro: 'http://example.invalid/debian' },
  packages: [
    { package: 'docker-ce', version: '5:27.5.1-1~debian.12~bookworm', architecture: 'amd64', file: 'debs/docker-ce_27.5.1_amd64.deb', sha256: H('a'), size: 10 },
    { package: 'iptables', version: '1.8.9-2', architecture: 'amd64', file: 'debs/iptables_1.8.9-2_amd64.deb', sha256: H('b'), size: 5 },
  ],
  created: '2026-12-01T00:00:00Z',
};
const sums = new Map([[MANIFEST, H('c')], ['debs/docker-ce_27.5.1_amd64.deb', H('a')], ['debs/iptables_1.8.9-2_amd64.deb', H('b')]]);

describe('bundle checks', () => {
  it('the manifest round-trips; a malformed one is refused naming the field', () => {
    expect(parseManifest(JSON.stringify(manifest), MANIFEST)).toEqual(manifest);
    expect(() => parseManifest(JSON.stringify({ ...manifest, packages: [{ ...manifest.packages[0], file: '../../etc/passwd' }] }), MANIFEST)).toThrow(/packages\[0\]/);
    expect(() => parseManifest('{', MANIFEST)).toThrow(/not JSON/);
  });
  it('SHA256SUMS lines: a path outside the bundle or a repeated name is refused with its line', () => {
    expect(parseSums(`${H('a')}  debs/x.deb\n`, SUMS_NAME).get('debs/x.deb')).toBe(H('a'));
    expect(() => parseSums(`${H('a')}  debs/x.deb\n${H('b')}  ../x\n`, SUMS_NAME)).toThrow('SHA256SUMS:2:');
  });
  it('every file must match, be listed, and agree with the manifest', () => {
    expect(checksumProblem(manifest, sums, sums)).toBeUndefined();
    expect(checksumProblem(manifest, sums, new Map([...sums, ['debs/iptables_1.8.9-2_amd64.deb', H('d')]]))).toBe(`debs/iptables_1.8.9-2_amd64.deb: sha256 ${H('d')}, SHA256SUMS says ${H('b')}`);
    expect(checksumProblem(manifest, sums, new Map([...sums, ['debs/extra.deb', H('e')]]))).toBe('debs/extra.deb is not listed in SHA256SUMS');
    const gone = new Map(sums);
    gone.delete('debs/iptables_1.8.9-2_amd64.deb');
    expect(checksumProblem(manifest, sums, gone)).toBe('debs/iptables_1.8.9-2_amd64.deb is listed in SHA256SUMS but missing');
    const other = new Map([...sums, ['debs/docker-ce_27.5.1_amd64.deb', H('f')]]);
    expect(checksumProblem(manifest, other, other)).toBe('debs/docker-ce_27.5.1_amd64.deb: the manifest\'s sha256 differs from SHA256SUMS');
  });
  it('fits only its OS, release and architecture', () => {
    expect(fitProblem(manifest, { id: 'debian', versionId: '12', arch: 'amd64' })).toBeUndefined();
    expect(fitProblem(manifest, { id: 'debian', versionId: '13', arch: 'amd64' })).toBe('the bundle is for debian 12 amd64, this host is debian 13 amd64');
    expect(fitProblem(manifest, { id: 'ubuntu', versionId: '12', arch: 'amd64' })).toMatch(/this host is ubuntu 12 amd64/);
    expect(fitProblem(manifest, { id: 'debian', versionId: '12', arch: 'arm64' })).toMatch(/this host is debian 12 arm64/);
  });
});
const SUMS_NAME = 'SHA256SUMS';

describe('resolution on the controller', () => {
  it('the base system is the release\'s required and essential packages, installed', () => {
    const idx = parseStanzas(
      [
        'Package: libc6\nVersion: 2.36\nArchitecture: amd64\nPriority: optional\nDepends: libgcc-s1',
        'Package: libgcc-s1\nVersion: 12\nArchitecture: amd64\nPriority: optional',
        'Package: iptables\nVersion: 1.8\nArchitecture: amd64\nPriority: optional\nDepends: libc6',
        'Package: mawk\nVersion: 1.3\nArchitecture: amd64\nPriority: required\nProvides: awk\nPre-Depends: libc6 (>= 2.29)',
        'Package: base-files\nVersion: 12\nArchitecture: amd64\nEssential: yes\nPriority: optional\nDepends: awk | gawk',
      ].join('\n\n') + '\n',
    );
    const status = parseStanzas(baseStatus(idx));
    // required and Essential, and what they depend on (through Provides); not iptables.
    expect(status.map((s) => s.Package).sort()).toEqual(['base-files', 'libc6', 'libgcc-s1', 'mawk']);
    expect(status.find((s) => s.Package === 'libc6')).toMatchObject({ Status: 'install ok installed', Version: '2.36', Depends: 'libgcc-s1' });
  });
  it("the distribution's archive from this machine's apt sources, one-line or deb822", () => {
    expect(localMirrorFor('bookworm', [{ path: '/etc/apt/sources.list', text: '# x\ndeb http://m.invalid/debian bookworm main contrib\n' }])).toBe('http://m.invalid/debian');
    expect(localMirrorFor('bookworm', [{ path: '/etc/apt/sources.list.d/debian.sources', text: 'Types: deb\nURIs: http://d.invalid/debian\nSuites: bookworm bookworm-updates\nComponents: main\n' }])).toBe('http://d.invalid/debian');
    expect(localMirrorFor('trixie', [{ path: '/etc/apt/sources.list', text: 'deb http://m.invalid/debian bookworm main\n' }])).toBeUndefined();
  });
});

describe('the offline install plan', () => {
  it('no key fetch, no repository, packages from the uploaded bundle with no source list or download; then held', () => {
    const facts = factsFor('debian-12', 'fresh');
    const plan = withBundle(planForHost(facts, playbooks, { source: 'docker', dockerVersion: manifest.dockerVersion }), manifest, H('9'));
    const step = (id: string) => plan.steps.find((s) => s.id === id)!;
    expect(step('prerequisites').commands).toEqual([]);
    expect(step('repository').commands).toEqual([]);
    const text = step('packages').commands.map((c) => c.script).join('\n');
    expect(text).toContain(`[ "$got" = ${H('9')} ]`);
    expect(text).toContain('sha256sum -c --strict --quiet SHA256SUMS');
    expect(text).toContain("want docker-ce '5:27.5.1-1~debian.12~bookworm' debs/docker-ce_27.5.1_amd64.deb 1");
    expect(text).toContain('want iptables 1.8.9-2 debs/iptables_1.8.9-2_amd64.deb 0');
    expect(text).toContain('-o Dir::Etc::sourcelist="$work/none.list" -o Dir::Etc::sourceparts="$work/none.d" install -y --allow-downgrades');
    expect(text).toContain('debs="$debs $work/$3"');
    expect(text).toContain('apt-mark hold docker-ce docker-ce-cli');
    expect(text).not.toMatch(/apt-get .* update|curl/);
  });
});
