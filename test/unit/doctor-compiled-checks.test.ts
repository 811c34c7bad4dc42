import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksDir } from '../../src/core/paths.js';
import { checkDeclarations, compileChecks, loadCompiledChecks } from '../../src/doctor/compiled-checks.js';
import { loadDeclarations } from '../../src/doctor/declarations.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the shipped check declarations and a compiled file made from it, as the build makes it. */
async function compiledCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-checks-'));
  dirs.push(dir);
  const checks = join(dir, 'checks');
  cpSync(checksDir, checks, { recursive: true });
  const file = join(dir, 'checks.json');
  writeFileSync(file, JSON.stringify(await compileChecks(checks)));
  return { checks, file };
}

describe('check declarations compiled at build time', () => {
  it('are exactly what loading the YAML gives, file names (source) included', async () => {
    const { checks, file } = await compiledCopy();
    const yaml = await loadDeclarations(checks);
    expect(yaml.length).toBeGreaterThan(10);
    expect(loadCompiledChecks(checks, file)).toEqual(yaml);
  });

  it('are not used once a declaration file was edited, added or removed since the build', async () => {
    const edited = await compiledCopy();
    appendFileSync(join(edited.checks, '10-install.yaml'), '\n# edited\n');
    expect(loadCompiledChecks(edited.checks, edited.file)).toBeUndefined();

    const added = await compiledCopy();
    cpSync(join(added.checks, '10-install.yaml'), join(added.checks, '60-mine.yaml'));
    expect(loadCompiledChecks(added.checks, added.file)).toBeUndefined();

    const removed = await compiledCopy();
    rmSync(join(removed.checks, '50-host.yaml'));
    expect(loadCompiledChecks(removed.checks, removed.file)).toBeUndefined();
  });

  it('another directory is always parsed (and checked) from its YAML', async () => {
    const { checks } = await compiledCopy();
    writeFileSync(join(checks, '10-install.yaml'), 'checks: []\n');
    await expect(checkDeclarations(checks)).rejects.toThrow(/10-install\.yaml/);
  });
});
