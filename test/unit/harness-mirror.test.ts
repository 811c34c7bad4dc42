import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { aptArchiveUrls, pickDebianArchive } from '../harness/hosts/mirror.js';

// The e2e harness reads the mirror from the machine's apt sources; these are the shapes it meets.
describe('e2e harness: mirror from apt sources', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function sources(files: Record<string, string>, list = ''): string[] {
    dir = mkdtempSync(join(tmpdir(), 'harness-mirror-'));
    mkdirSync(join(dir, 'sources.list.d'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'sources.list.d', name), text);
    writeFileSync(join(dir, 'sources.list'), list);
    return aptArchiveUrls(join(dir, 'sources.list.d'), join(dir, 'sources.list'));
  }

  it('reads deb822 stanzas, skipping deb-src, disabled stanzas and files that are not .sources/.list', () => {
    const urls = sources({
      'debian.sources': [
        'Types: deb\n# comment\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\nComponents: main',
        'Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\nComponents: main',
        'Types: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\nComponents: main',
        'Types: deb\nEnabled: no\nURIs: http://off.example/debian\nSuites: bookworm\nComponents: main',
      ].join('\n\n'),
      'other.sources.disabled': 'Types: deb\nURIs: http://never.example/debian\nSuites: x\nComponents: main\n',
    });
    expect(urls).toEqual(['http://mirror.example/debian', 'http://mirror.example/debian-security']);
    expect(pickDebianArchive(urls)).toBe('http://mirror.example/debian');
  });

  it('reads one-line sources with options, and prefers the main archive over third-party repositories', () => {
    const urls = sources(
      { 'vendor.list': 'deb [signed-by=/k.gpg arch=amd64] https://vendor.example/apt stable main\n' },
      '# deb http://commented.example/debian bookworm main\ndeb http://mirror.example/debian/ bookworm main\n',
    );
    expect(urls).toEqual(['https://vendor.example/apt', 'http://mirror.example/debian/']);
    expect(pickDebianArchive(urls)).toBe('http://mirror.example/debian');
  });

  it('finds no archive when only third-party repositories are configured', () => {
    expect(pickDebianArchive(sources({ 'x.list': 'deb https://vendor.example/apt stable main\n' }))).toBeUndefined();
  });
});
