/**
 * The rendered script's daemon.json merge (an awk JSON reader, src/plan/steps/daemon-json-shell.ts)
 * against the plan's own merge (mergeWants + renderDaemonJson), run by the real awks a host may have
 * (mawk: Debian's default, gawk, busybox awk). Random JSON objects as dockhand writes them, merged
 * with random wants (the storage keys, the daemon settings' nested keys, removals), must merge to
 * exactly the plan's text and name the same changed keys; files it cannot merge safely are refused
 * (exit 4, no output).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeStorageSettings, mergeWants, renderDaemonJson, type Want } from '../../src/plan/daemon-json.js';
import { daemonJsonFunction, wantLines } from '../../src/plan/steps/daemon-json-shell.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const AWKS = [
  { name: 'mawk', dir: has('mawk') ? 'mawk' : undefined },
  { name: 'gawk', dir: has('gawk') ? 'gawk' : undefined },
  { name: 'busybox awk', dir: has('busybox') ? 'busybox' : undefined },
];

/** The storage wants as the script had them before the daemon settings (driver overlay2, snapshotter off when snap). */
const storageWants = (snap: number): Want[] => [
  { path: ['storage-driver'], value: 'overlay2', source: 's', why: '' },
  ...(snap ? [{ path: ['features', 'containerd-snapshotter'], value: false, source: 's', why: '' }] : []),
];

/** Runs dh_daemon_json on `content` (undefined: no file) with `awk` resolving to the given implementation. */
function merge(awk: string, content: string | undefined, wants: number | readonly Want[] = 1, mode = 'doc'): { code: number | null; out: string; err: string } {
  const fn = daemonJsonFunction().join('\n');
  const awkShim = awk === 'busybox' ? 'awk() { busybox awk "$@"; }' : `awk() { ${awk} "$@"; }`;
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-daemon-json-'));
  const declared = wantLines(typeof wants === 'number' ? storageWants(wants) : wants).join('\n');
  try {
    const file = join(dir, 'daemon.json');
    if (content !== undefined) writeFileSync(file, content);
    const res = spawnSync('sh', ['-c', `${awkShim}\n${fn}\ndh_n=0\n${declared}\ndh_daemon_json "$1" ${mode}`, 'sh', file], { encoding: 'utf8' });
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

  it.runIf(dir !== undefined)('merges any wants like the plan: nested keys, arrays, removals; the same changed keys', () => {
    // Paths as the daemon settings make them (log-opts.max-size, proxies.*, features.*), and --daemon-opt's own.
    const path = fc.oneof(
      fc.constantFrom(['storage-driver'], ['features', 'containerd-snapshotter'], ['log-opts', 'max-size'], ['log-opts', 'max-file'], ['live-restore'], ['registry-mirrors'], ['proxies', 'http-proxy'], ['debug']),
      fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/), { minLength: 1, maxLength: 3 }),
    );
    const want = fc.record({ path, value: fc.oneof(jsonValue, fc.constant(undefined)) }).map((w) => ({ ...w, source: 'test', why: '' }));
    fc.assert(
      fc.property(objectArb, fc.array(want, { maxLength: 4 }), (obj, wants) => {
        // A parent that is not an object is refused by the script (the plan replaces it); a removal
        // under an absent parent leaves the script's file alone (the plan would add an empty object).
        fc.pre(wants.every((w) => w.path.slice(0, -1).every((_, i) => {
          const parent = w.path.slice(0, i + 1).reduce<unknown>((o, k) => (o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>)[k] : undefined), obj);
          return parent === undefined ? w.value !== undefined : parent !== null && typeof parent === 'object' && !Array.isArray(parent);
        })));
        // Wants about the same key or one inside another: the plan's "later wins" holds, but the changed-key lists may differ.
        const keys = wants.map((w) => w.path.join('.'));
        fc.pre(keys.every((k, i) => keys.every((o, j) => i === j || (k !== o && !k.startsWith(`${o}.`) && !o.startsWith(`${k}.`)))));
        const { merged, changes } = mergeWants(obj, wants);
        const r = merge(dir!, renderDaemonJson(obj), wants);
        if (changes.length === 0) {
          expect(r.code, r.err).toBe(3);
          return;
        }
        expect(r.err).toBe('');
        expect(r.code).toBe(0);
        expect(r.out).toBe(renderDaemonJson(merged));
        const top = [...new Set(changes.map((c) => c.key.split('.')[0]))];
        expect(merge(dir!, renderDaemonJson(obj), wants, 'keys').out.split('\n').filter(Boolean)).toEqual(top);
      }),
      { numRuns: 80 },
    );
  });

  it.runIf(dir !== undefined)('the daemon settings over an admin\'s own file: nested keys merged, values kept as written, layout of a value ignored', () => {
    const wants: Want[] = [
      ...storageWants(1),
      { path: ['log-opts', 'max-size'], value: '10m', source: 't', why: '' },
      { path: ['log-opts', 'max-file'], value: '3', source: 't', why: '' },
      { path: ['live-restore'], value: true, source: 't', why: '' },
      { path: ['registry-mirrors'], value: ['https://mirror.test/'], source: 't', why: '' },
    ];
    const own = '{ "log-driver": "local",\n  "log-opts": {"compress": "true", "max-size": "1g"}, "debug": false }\n';
    const r = merge(dir!, own, wants);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      'log-driver': 'local',
      'log-opts': { compress: 'true', 'max-size': '10m', 'max-file': '3' },
      debug: false,
      'storage-driver': 'overlay2',
      features: { 'containerd-snapshotter': false },
      'live-restore': true,
      'registry-mirrors': ['https://mirror.test/'],
    });
    expect(merge(dir!, own, wants, 'keys').out).toBe('storage-driver\nfeatures\nlog-opts\nlive-restore\nregistry-mirrors\n');
    // Converged, written compactly by hand: nothing to do.
    expect(merge(dir!, r.out.replace(/\s+/g, ''), wants).code).toBe(3);
    // A removal (--image-store containerd drops storage-driver) and an unwanted key that is absent.
    const containerd: Want[] = [
      { path: ['storage-driver'], value: undefined, source: 't', why: '' },
      { path: ['features', 'containerd-snapshotter'], value: true, source: 't', why: '' },
    ];
    expect(JSON.parse(merge(dir!, r.out, containerd).out)).not.toHaveProperty('storage-driver');
    expect(merge(dir!, '{"features": {"containerd-snapshotter": true}}', containerd).code).toBe(3);
    // A value the shell would expand, a quote, a backslash: they reach the file as JSON text.
    const odd: Want[] = [{ path: ['labels'], value: ['$(touch /tmp/x)', 'a\'b', 'c\\d"e'], source: 't', why: '' }];
    expect(JSON.parse(merge(dir!, undefined, odd).out)).toEqual({ labels: ['$(touch /tmp/x)', "a'b", 'c\\d"e'] });
    // A parent that is not an object: refused, nothing printed.
    expect(merge(dir!, '{"log-opts": "none"}', wants)).toMatchObject({ code: 4, out: '' });
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
