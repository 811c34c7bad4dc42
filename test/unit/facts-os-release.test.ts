import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOsRelease, unquoteShellValue } from '../../src/facts/os-release.js';

const fixtureDir = new URL('../fixtures/os-release/', import.meta.url);
const read = (name: string) => readFileSync(new URL(`${name}.os-release`, fixtureDir), 'utf8');

type Expected = { id: string; idLike: string[]; versionId?: string; versionCodename?: string; ubuntuCodename?: string; debianCodename?: string };

// One row per fixture file; the test below fails if a fixture has no row.
const table: Record<string, Expected> = {
  'ubuntu-22.04': { id: 'ubuntu', idLike: ['debian'], versionId: '22.04', versionCodename: 'jammy', ubuntuCodename: 'jammy' },
  'ubuntu-24.04': { id: 'ubuntu', idLike: ['debian'], versionId: '24.04', versionCodename: 'noble', ubuntuCodename: 'noble' },
  'ubuntu-26.04': { id: 'ubuntu', idLike: ['debian'], versionId: '26.04', versionCodename: 'resolute', ubuntuCodename: 'resolute' },
  'debian-11': { id: 'debian', idLike: [], versionId: '11', versionCodename: 'bullseye' },
  'debian-12': { id: 'debian', idLike: [], versionId: '12', versionCodename: 'bookworm' },
  'debian-13': { id: 'debian', idLike: [], versionId: '13', versionCodename: 'trixie' },
  'raspbian-12': { id: 'raspbian', idLike: ['debian'], versionId: '12', versionCodename: 'bookworm' },
  'rhel-8': { id: 'rhel', idLike: ['fedora'], versionId: '8.10' },
  'rhel-9': { id: 'rhel', idLike: ['fedora'], versionId: '9.6' },
  'rhel-10': { id: 'rhel', idLike: ['centos', 'fedora'], versionId: '10.0' },
  'centos-stream-9': { id: 'centos', idLike: ['rhel', 'fedora'], versionId: '9' },
  'centos-stream-10': { id: 'centos', idLike: ['rhel', 'fedora'], versionId: '10' },
  'rocky-8': { id: 'rocky', idLike: ['rhel', 'centos', 'fedora'], versionId: '8.10' },
  'rocky-9': { id: 'rocky', idLike: ['rhel', 'centos', 'fedora'], versionId: '9.6' },
  'almalinux-8': { id: 'almalinux', idLike: ['rhel', 'centos', 'fedora'], versionId: '8.10' },
  'almalinux-9': { id: 'almalinux', idLike: ['rhel', 'centos', 'fedora'], versionId: '9.6' },
  // Fedora ships VERSION_CODENAME="" — empty means absent.
  'fedora-42': { id: 'fedora', idLike: [], versionId: '42' },
  'fedora-43': { id: 'fedora', idLike: [], versionId: '43' },
  'amzn-2': { id: 'amzn', idLike: ['centos', 'rhel', 'fedora'], versionId: '2' },
  'amzn-2023': { id: 'amzn', idLike: ['fedora'], versionId: '2023' },
  'opensuse-leap-15.6': { id: 'opensuse-leap', idLike: ['suse', 'opensuse'], versionId: '15.6' },
  'sles-15': { id: 'sles', idLike: ['suse'], versionId: '15.6' },
  arch: { id: 'arch', idLike: [] },
  'alpine-3.22': { id: 'alpine', idLike: [], versionId: '3.22.1' },
  'linuxmint-22': { id: 'linuxmint', idLike: ['ubuntu', 'debian'], versionId: '22', versionCodename: 'wilma', ubuntuCodename: 'noble' },
  'pop-22.04': { id: 'pop', idLike: ['ubuntu', 'debian'], versionId: '22.04', versionCodename: 'jammy', ubuntuCodename: 'jammy' },
  'kali-rolling': { id: 'kali', idLike: ['debian'], versionId: '2025.2', versionCodename: 'kali-rolling' },
  'lmde-6': { id: 'linuxmint', idLike: ['debian'], versionId: '6', versionCodename: 'faye', debianCodename: 'bookworm' },
};

describe('parseOsRelease on real distro files', () => {
  const fixtures = readdirSync(fixtureDir)
    .filter((f) => f.endsWith('.os-release'))
    .map((f) => f.replace(/\.os-release$/, ''));

  it('has an expectation for every fixture and a fixture for every expectation', () => {
    expect(fixtures.sort()).toEqual(Object.keys(table).sort());
  });

  it.each(fixtures)('%s', (name) => {
    const os = parseOsRelease(read(name));
    const want = table[name]!;
    expect({
      id: os.id,
      idLike: os.idLike,
      versionId: os.versionId,
      versionCodename: os.versionCodename,
      ubuntuCodename: os.ubuntuCodename,
      debianCodename: os.debianCodename,
    }).toEqual({ versionId: undefined, versionCodename: undefined, ubuntuCodename: undefined, debianCodename: undefined, ...want });
    expect(os.name).toBeTruthy();
    expect(os.prettyName).toBeTruthy();
    expect(os.raw.ID?.toLowerCase()).toBe(want.id);
  });
});

describe('shell quoting in os-release', () => {
  it.each([
    ['plain', 'plain'],
    ['"double quoted"', 'double quoted'],
    ["'single $quoted \\n'", 'single $quoted \\n'],
    ['"esc \\" \\\\ \\$ \\` kept \\n"', 'esc " \\ $ ` kept \\n'],
    ['bare\\ word', 'bare word'],
    ['"a"\'b\'c', 'abc'],
    ['value # trailing comment', 'value'],
    ['""', ''],
    ['"unterminated', 'unterminated'],
  ])('%s → %s', (input, want) => {
    expect(unquoteShellValue(input)).toBe(want);
  });

  it('skips comments, blank lines and non-assignments; later keys win; ID defaults to linux', () => {
    const os = parseOsRelease('# comment\n\n  \nnot an assignment\nNAME="X"\r\nNAME=Y\nID_LIKE="  a   B "\n');
    expect(os.id).toBe('linux');
    expect(os.name).toBe('Y');
    expect(os.idLike).toEqual(['a', 'b']);
    expect(os.raw).toEqual({ NAME: 'Y', ID_LIKE: '  a   B ' });
  });

  it('lower-cases ID', () => {
    expect(parseOsRelease('ID="Ubuntu"').id).toBe('ubuntu');
  });
});
