import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { playbooksDir } from '../../src/core/paths.js';
import { loadCompiledPlaybooks, playbookDigests } from '../../src/playbook/compiled.js';
import { loadPlaybooks } from '../../src/playbook/load.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the shipped playbooks and a compiled file made from it, as the build makes it. */
function compiledCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-compiled-'));
  dirs.push(dir);
  const books = join(dir, 'playbooks');
  cpSync(playbooksDir, books, { recursive: true });
  const file = join(dir, 'playbooks.json');
  writeFileSync(file, JSON.stringify({ digests: playbookDigests(books), playbooks: loadPlaybooks(books) }));
  return { books, file };
}

describe('precompiled playbooks', () => {
  it('are exactly what loading the YAML gives', () => {
    const { books, file } = compiledCopy();
    expect(loadCompiledPlaybooks(books, file)).toEqual(loadPlaybooks(books));
  });

  it('are not used once a playbook was edited, added or removed since the build', () => {
    const edited = compiledCopy();
    appendFileSync(join(edited.books, 'debian.yaml'), '\n# edited\n');
    expect(loadCompiledPlaybooks(edited.books, edited.file)).toBeUndefined();

    const added = compiledCopy();
    cpSync(join(added.books, 'debian.yaml'), join(added.books, 'mydistro.yaml'));
    expect(loadCompiledPlaybooks(added.books, added.file)).toBeUndefined();

    const removed = compiledCopy();
    rmSync(join(removed.books, 'alpine.yaml'));
    expect(loadCompiledPlaybooks(removed.books, removed.file)).toBeUndefined();
  });

  it('without a build (or an unreadable file) the YAML is the source', () => {
    const { books, file } = compiledCopy();
    expect(loadCompiledPlaybooks(books, join(books, 'nope.json'))).toBeUndefined();
    writeFileSync(file, '{"digests":');
    expect(loadCompiledPlaybooks(books, file)).toBeUndefined();
  });
});
