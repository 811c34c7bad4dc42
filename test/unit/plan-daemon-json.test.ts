import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { contentHash, mergeStorageSettings, parseDaemonJson, renderDaemonJson } from '../../src/plan/daemon-json.js';
import { findJsonError } from '../../src/plan/json-position.js';

const file = (content: string) => ({ path: '/etc/docker/daemon.json', exists: true, content });
const want = { driver: 'overlay2', disableContainerdSnapshotter: true };

describe('daemon.json merge', () => {
  it('keeps every other key and merges into an existing features object', () => {
    const existing = parseDaemonJson(file('{"log-driver":"journald","features":{"buildkit":true},"dns":["10.0.0.2"]}'));
    const { merged, changes } = mergeStorageSettings(existing, want);
    expect(merged).toEqual({
      'log-driver': 'journald',
      dns: ['10.0.0.2'],
      features: { buildkit: true, 'containerd-snapshotter': false },
      'storage-driver': 'overlay2',
    });
    expect(changes).toEqual(['storage-driver: (unset) → overlay2', 'features.containerd-snapshotter: (unset) → false']);
  });

  it('is unchanged when overlay2 is already set', () => {
    const text = renderDaemonJson({ 'storage-driver': 'overlay2', features: { 'containerd-snapshotter': false }, debug: true });
    const { merged, changes } = mergeStorageSettings(parseDaemonJson(file(text)), want);
    expect(changes).toEqual([]);
    expect(renderDaemonJson(merged)).toBe(text);
  });

  it('leaves features alone for engines before 29', () => {
    const { merged, changes } = mergeStorageSettings({ 'storage-driver': 'overlay2' }, { driver: 'overlay2', disableContainerdSnapshotter: false });
    expect(changes).toEqual([]);
    expect(merged).toEqual({ 'storage-driver': 'overlay2' });
  });

  it('a missing or empty file is an empty config', () => {
    expect(parseDaemonJson({ path: '/etc/docker/daemon.json', exists: false })).toEqual({});
    expect(parseDaemonJson(file('  \n'))).toEqual({});
  });

  it('invalid JSON is an InputError with file, line and column, never overwritten', () => {
    let err: unknown;
    try {
      parseDaemonJson(file('{\n  "debug": true,\n  "log-driver": "journald",\n}\n'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe(
      `/etc/docker/daemon.json:4:1: invalid JSON: unexpected "}", expected a property name in double quotes; dockhand will not overwrite it`,
    );
  });

  it('a JSON array is refused', () => {
    expect(() => parseDaemonJson(file('[]'))).toThrow(/must contain a JSON object/);
  });

  it('the content hash ignores trailing newlines (the host hashes $(cat file))', () => {
    expect(contentHash('{}\n\n')).toBe(contentHash('{}'));
    expect(contentHash('{}')).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });
});

describe('findJsonError agrees with JSON.parse', () => {
  const parses = (s: string) => {
    try {
      JSON.parse(s);
      return true;
    } catch {
      return false;
    }
  };

  it('on valid JSON documents', () => {
    fc.assert(fc.property(fc.json(), (s) => findJsonError(s) === undefined));
  });

  it('on damaged JSON documents and arbitrary strings', () => {
    const damaged = fc
      .tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', 'x', '\\', '\n'))
      .map(([s, at, insert]) => s.slice(0, at % (s.length + 1)) + insert + s.slice((at % (s.length + 1)) + 1));
    fc.assert(
      fc.property(fc.oneof(damaged, fc.string()), (s) => {
        const err = findJsonError(s);
        expect(err === undefined).toBe(parses(s));
        if (err) expect(err.offset).toBeLessThanOrEqual(s.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('reports line and column', () => {
    expect(findJsonError('{"a": 1,\n "b" 2}')).toMatchObject({ line: 2, column: 6 });
    expect(findJsonError('{"a": tru}')).toMatchObject({ line: 1, column: 7 });
  });
});
