import { describe, expect, it } from 'vitest';
import { parseOsRelease } from '../../src/facts/os-release.js';
import { selectPlaybook, UnsupportedDistroError } from '../../src/playbook/select.js';
import { osReleaseText, playbooks } from '../fixtures/facts/build.js';

const osOf = (name: string) => parseOsRelease(osReleaseText(name));

describe('selectPlaybook', () => {
  it.each([
    ['ubuntu-22.04', 'ubuntu', '22.04', 'jammy'],
    ['ubuntu-26.04', 'ubuntu', '26.04', 'resolute'],
    ['debian-11', 'debian', '11', 'bullseye'],
    ['raspbian-12', 'raspbian', '12', 'bookworm'],
    ['rhel-9', 'rhel', '9', undefined],
    ['centos-stream-10', 'centos', '10', undefined],
    ['rocky-8', 'rocky', '8', undefined],
    ['almalinux-9', 'almalinux', '9', undefined],
    ['fedora-43', 'fedora', '43', undefined],
    ['amzn-2', 'amzn', '2', undefined],
    ['amzn-2023', 'amzn', '2023', undefined],
    ['opensuse-leap-15.6', 'opensuse-leap', '15.6', undefined],
    ['sles-15', 'sles', '15', undefined],
    ['alpine-3.22', 'alpine', '3.22', undefined],
    ['linuxmint-22', 'ubuntu', '24.04', 'noble'],
    ['pop-22.04', 'ubuntu', '22.04', 'jammy'],
    ['lmde-6', 'debian', '12', 'bookworm'],
    ['kali-rolling', 'debian', '13', 'trixie'],
  ])('%s → %s %s', (name, id, version, codename) => {
    const sel = selectPlaybook(osOf(name), playbooks);
    expect(sel.playbook.id).toBe(id);
    expect(sel.release?.version).toBe(version);
    expect(sel.release?.codename).toBe(codename);
  });

  it('arch is rolling: no release', () => {
    const sel = selectPlaybook(osOf('arch'), playbooks);
    expect(sel.playbook.id).toBe('arch');
    expect(sel.release).toBeUndefined();
  });

  it('raspbian 13 uses the linux/debian repository', () => {
    expect(selectPlaybook(osOf('raspbian-13'), playbooks).release?.dockerRepo).toBe('linux/debian');
  });

  it('--os and --codename override what the host says', () => {
    const sel = selectPlaybook(osOf('kali-rolling'), playbooks, { os: 'debian', codename: 'bookworm' });
    expect(sel.playbook.id).toBe('debian');
    expect(sel.release?.codename).toBe('bookworm');
    expect(sel.via).toBe('--os debian (--codename bookworm)');
    // --codename alone on a direct match picks that release.
    expect(selectPlaybook(osOf('ubuntu-24.04'), playbooks, { codename: 'jammy' }).release?.version).toBe('22.04');
  });

  it('an unknown distribution names what was detected and the override', () => {
    const os = parseOsRelease('ID=gentoo\nVERSION_ID=2.17\nID_LIKE="funtoo"\n');
    expect(() => selectPlaybook(os, playbooks)).toThrow(UnsupportedDistroError);
    try {
      selectPlaybook(os, playbooks);
    } catch (e) {
      const err = e as UnsupportedDistroError;
      expect(err.message).toContain('detected ID=gentoo VERSION_ID=2.17 ID_LIKE=funtoo: unsupported distribution');
      expect(err.message).toContain('ubuntu');
      expect(err.hint).toContain('--os <id> and --codename <codename>');
      expect(err.exitCode).toBe(2);
    }
  });

  it('an unsupported release of a known distribution lists the supported ones', () => {
    const os = parseOsRelease('ID=debian\nVERSION_ID="10"\nVERSION_CODENAME=buster\n');
    expect(() => selectPlaybook(os, playbooks)).toThrow(
      /detected ID=debian VERSION_ID=10 VERSION_CODENAME=buster ID_LIKE=\(none\): Debian release not supported \(ID=debian\); supported: 11 \(bullseye\), 12 \(bookworm\), 13 \(trixie\)/,
    );
  });

  it('a derivative with an unknown upstream codename is refused, not guessed', () => {
    const os = parseOsRelease('ID=someos\nID_LIKE=ubuntu\nVERSION_ID=1\nUBUNTU_CODENAME=focal\n');
    expect(() => selectPlaybook(os, playbooks)).toThrow(/Ubuntu release not supported \(ID_LIKE=ubuntu\)/);
  });
});
