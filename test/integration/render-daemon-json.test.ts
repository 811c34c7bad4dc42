/**
 * The rendered script's daemon.json merge (an awk JSON reader, src/plan/steps/daemon-json-shell.ts)
 * against the plan's own merge (mergeStorageSettings + renderDaemonJson), run by the real awks a host
 * may have (mawk: Debian's default, busybox awk). Random JSON objects as dockhand writes them must
 * merge to exactly the plan's text; files it cannot merge safely are refused (exit 4, no output).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeStorageSettings, renderDaemonJson } from '../../src/plan/daemon-json.js';
import { daemonJsonFunction } from '../../src/plan/steps/daemon-json-shell.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const AWKS = [
  { name: 'mawk', dir: has('mawk') ? 'mawk' : undefined },
  { name: 'busybox awk', dir: has('busybox') ? 'busybox' : undefined },
];

/** Runs dh_daemon_json on `content` (undefined: no file) with `awk` resolving to the given implementation. */
function merge(awk: string, content: string | undefined, snap = 1): { code: number | null; out: string; err: string } {
  const fn = daemonJsonFunction().join('\n');
  const awkShim = awk === 'busybox' ? 'awk() { busybox awk "$@"; }' : `awk() { ${awk} "$@"; }`;
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-daemon-json-'));
  try {
    const file = join(dir, 'daemon.json');
    if (content !== undefined) writeFileSync(file, content);
    const res = spawnSync('sh', ['-c', `${awkShim}\n${fn}\ndh_daemon_json "$1" overlay2 ${snap}`, 'sh', file], { encoding: 'utf8' });
    return { code: res.status, out: res.stdout, err: res.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => !/["\\\u0000-\u001f\u007f-\uffff]/.test(k)), tie('value'), { maxKeys: 3 }),
  ),
})).value;

const objectArb = fc.dictionary(
  fc.oneof(fc.constantFrom('storage-driver', 'features', 'log-driver', 'data-root', 'registry-mirrors'), fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/)),
  jsonValue,
  { maxKeys: 5 },
).map((o) => {
  // "features" that is not an object is refused by the script (the plan would replace it): keep it an object here.
  if ('features' in o && (o.features === null || typeof o.features !== 'object' || Array.isArray(o.features))) o.features = { buildkit: true };
  return o;
});

describe.each(AWKS)('$name', ({ dir }) => {
  it.runIf(dir !== undefined)('merges like the plan, key for key and byte for byte', () => {
    fc.assert(
      fc.property(objectArb, fc.boolean(), (obj, snap) => {
        const text = renderDaemonJson(obj);
        const { merged, changes } = mergeStorageSettings(obj, { driver: 'overlay2', disableContainerdSnapshotter: snap });
        const r = merge(dir!, text, snap ? 1 : 0);
        if (changes.length === 0) {
          expect(r.code).toBe(3);
          expect(r.out).toBe('');
        } else {
          expect(r.err).toBe('');
          expect(r.code).toBe(0);
          expect(r.out).toBe(renderDaemonJson(merged));
        }
      }),
      { numRuns: 60 },
    );
  });

  it.runIf(dir !== undefined)('absent, empty and already-correct files', () => {
    const fresh = renderDaemonJson({ 'storage-driver': 'overlay2', features: { 'containerd-snapshotter': false } });
    expect(merge(dir!, undefined)).toMatchObject({ code: 0, out: fresh });
    expect(merge(dir!, ' \n\n')).toMatchObject({ code: 0, out: fresh });
    expect(merge(dir!, fresh).code).toBe(3);
    // Compact, other spacing: still recognised as converged, nothing rewritten.
    expect(merge(dir!, '{"features":{"containerd-snapshotter":false},"storage-driver":"overlay2"}').code).toBe(3);
  });

  it.runIf(dir !== undefined)('keeps other keys written in any layout', () => {
    const r = merge(dir!, '{\n\t"log-driver": "local", "log-opts": {"max-size": "10m",\n "max-file": "3"}, "debug": true\n}\n');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      'log-driver': 'local',
      'log-opts': { 'max-size': '10m', 'max-file': '3' },
      debug: true,
      'storage-driver': 'overlay2',
      features: { 'containerd-snapshotter': false },
    });
  });

  it.runIf(dir !== undefined).each([
    ['invalid JSON', '{"storage-driver": "vfs",}'],
    ['not an object', '["storage-driver"]'],
    ['a duplicate key', '{"debug": true, "debug": false}'],
    ['an escaped key', '{"storage\\u002ddriver": "vfs"}'],
    ['features not an object', '{"features": "none"}'],
    ['text after the object', '{} {}'],
    ['an unterminated string', '{"a": "b'],
    ['a raw newline in a string', '{"a": "b\nc"}'],
    ['a comment', '{"a": 1 // no\n}'],
  ])('refuses %s (exit 4, nothing printed)', (_what, content) => {
    const r = merge(dir!, content);
    expect(r.code).toBe(4);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^daemon\.json: /);
  });
});
