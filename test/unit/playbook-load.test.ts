import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { loadPlaybookFile, loadPlaybooks, parsePlaybook } from '../../src/playbook/load.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/playbooks/${name}`, import.meta.url));

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error('expected an InputError');
}

const VALID = `id: x
title: X
match:
  ids: [x]
packageManager: apt
defaultSource: distro
sources:
  distro:
    packages:
      engine: docker.io
steps:
  - step: wait-ready
  - step: packages
`;

describe('shipped playbooks', () => {
  it('all load and validate', () => {
    const ids = loadPlaybooks().map((p) => p.id);
    expect(ids).toEqual([
      'almalinux', 'alpine', 'amzn', 'arch', 'centos', 'debian', 'fedora', 'opensuse-leap', 'raspbian', 'rhel', 'rocky', 'sles', 'ubuntu',
    ]);
  });
});

describe('playbook errors name file, line and field', () => {
  it('a typo in a step parameter (fixture file)', () => {
    const err = errorOf(() => loadPlaybookFile(fixture('typo.yaml')));
    expect(err.line).toBe(13);
    expect(err.field).toBe('steps[0].lockTimeoutSecond');
    expect(err.message).toMatch(/typo\.yaml:13:\d+: steps\[0\]\.lockTimeoutSecond: unknown key — did you mean `lockTimeoutSeconds`\?$/);
  });

  it.each([
    ['an unknown top-level key', VALID.replace('title: X', 'title: X\ntilte: Y'), 3, 'tilte', /tilte: unknown key — did you mean `title`\?/],
    ['a wrong type', VALID.replace('ids: [x]', 'ids: x'), 4, 'match.ids', /must be a list of lower-case names .*, not 'x'/],
    ['an unknown step', VALID.replace('step: packages', 'step: pakages'), 13, 'steps[1].step', /not 'pakages' — did you mean `packages`\?/],
    ['a bad fingerprint', VALID.replace('  distro:\n', '  docker:\n    repo: linux/x\n    suite: codename\n    keyFingerprint: "ABCD"\n    conflicts: []\n    packages: { engine: docker-ce }\n  distro:\n'), 11, 'sources.docker.keyFingerprint', /40 hex digits/],
    ['a missing default source', VALID.replace('defaultSource: distro', 'defaultSource: docker'), 6, 'defaultSource', /there is no `sources\.docker` for this default/],
    ['a duplicate step', VALID.replace('  - step: packages', '  - step: packages\n  - step: packages'), 14, 'steps[2].step', /`packages` is already a step above/],
  ])('%s', (_what, text, line, field, message) => {
    const err = errorOf(() => parsePlaybook(text, 'playbooks/x.yaml'));
    expect(err.file).toBe('playbooks/x.yaml');
    expect(err.line).toBe(line);
    expect(err.field).toBe(field);
    expect(err.message).toMatch(message);
    expect(err.exitCode).toBe(65);
  });

  it('invalid YAML gives the line', () => {
    const err = errorOf(() => parsePlaybook(VALID.replace('ids: [x]', 'ids: [x'), 'p.yaml'));
    expect(err.message).toMatch(/^p\.yaml:\d+:\d+: invalid YAML/);
  });

  it('a valid playbook parses with defaults filled in', () => {
    const pb = parsePlaybook(VALID, 'x.yaml');
    expect(pb.steps[0]).toEqual({ step: 'wait-ready', lockTimeoutSeconds: 600 });
  });
});

describe('extends: a playbook based on another', () => {
  /** A directory of playbook files (name → text), loaded the way playbooks/ is. */
  function loadDir(files: Record<string, string>) {
    const dir = mkdtempSync(join(tmpdir(), 'dockhand-playbooks-'));
    try {
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
      return loadPlaybooks(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const child = (parent: string, extra = '') => `extends: ${parent}\nid: y\ntitle: Y\nmatch:\n  ids: [y]\n${extra}`;

  it('merges mappings key by key, replaces lists, and never inherits match', () => {
    const [x, y] = loadDir({
      'x.yaml': VALID.replace('ids: [x]', 'ids: [x]\n  versions: [{ version: "1" }]'),
      'y.yaml': child('x', 'sources:\n  distro:\n    packages:\n      cli: docker-cli\nsteps:\n  - step: packages\n'),
    });
    expect(y!.match).toEqual({ ids: ['y'] });
    expect(y!.sources.distro!.packages).toEqual({ engine: 'docker.io', cli: 'docker-cli' });
    expect(y!.steps).toEqual([{ step: 'packages' }]);
    expect(y!.packageManager).toBe(x!.packageManager);
  });

  it('a missing parent names the file and line of extends', () => {
    const err = errorOf(() => loadDir({ 'x.yaml': VALID, 'y.yaml': `# comment\n${child('nope')}` }));
    expect(err.message).toMatch(/y\.yaml:2:1: extends: no playbook 'nope' to extend/);
    expect(err.exitCode).toBe(65);
  });

  it('a cycle names the file and line where it closes, and the way round', () => {
    const a = 'extends: b\nid: a\ntitle: A\nmatch:\n  ids: [a]\n';
    const b = 'id: b\ntitle: B\nmatch:\n  ids: [b]\nextends: a\n';
    const err = errorOf(() => loadDir({ 'a.yaml': a, 'b.yaml': b }));
    expect(err.message).toMatch(/b\.yaml:5:1: extends: extends makes a cycle: a → b → a/);
  });

  it('a typo in the child is the child’s line; a field the merge lacks is reported too', () => {
    let err = errorOf(() => loadDir({ 'x.yaml': VALID, 'y.yaml': child('x', 'sources:\n  distro:\n    packagez: {}\n') }));
    expect(err.message).toMatch(/y\.yaml:8:\d+: sources\.distro\.packagez: unknown key/);
    err = errorOf(() => loadDir({ 'x.yaml': VALID, 'y.yaml': child('x', 'defaultSource: docker\n') }));
    expect(err.message).toMatch(/y\.yaml:6:\d+: defaultSource: there is no `sources\.docker`/);
  });

  it('a child alone cannot be parsed without the others', () => {
    expect(errorOf(() => parsePlaybook(child('x'), 'y.yaml')).message).toMatch(/y\.yaml:1:1: extends: no playbook 'x'/);
  });
});
