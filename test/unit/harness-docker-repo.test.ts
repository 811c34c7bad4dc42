/** The test repository's package renaming (harness/docker-repo.ts): control files and relations. */
import { describe, expect, it } from 'vitest';
import { parseControl, renameRelations, renderControl } from '../harness/docker-repo.js';

describe('renameRelations', () => {
  it("replaces Debian's names by Docker's, dropping their versions, duplicates and the package itself", () => {
    const depends = 'adduser, containerd (>= 1.7.24~), iptables, runc (>= 1.1.12~), tini (>= 0.19.0), libc6 (>= 2.34)';
    expect(renameRelations(depends, 'docker-ce')).toBe('adduser, containerd.io, iptables, tini (>= 0.19.0), libc6 (>= 2.34)');
    expect(renameRelations('libc6 (>= 2.34), runc (>= 1.0.0~rc94)', 'containerd.io')).toBe('libc6 (>= 2.34)');
  });

  it('renames inside alternatives', () => {
    expect(renameRelations('docker-cli | docker.io, git', 'docker-compose-plugin')).toBe('docker-ce-cli | docker-ce, git');
  });
});

describe('control files', () => {
  it('parse and render keep fields in order, continuation lines with their field', () => {
    const text = 'Package: docker.io\nVersion: 20.10.24+dfsg1-1+b3\nDescription: Linux container runtime\n Docker complements kernel namespacing\n .\n more\n';
    const fields = parseControl(text);
    expect(Object.keys(fields)).toEqual(['Package', 'Version', 'Description']);
    expect(fields.Description).toBe('Linux container runtime\n Docker complements kernel namespacing\n .\n more');
    expect(renderControl(fields)).toBe(text);
  });
});
