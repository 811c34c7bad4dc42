import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { UsageError } from '../../src/core/errors.js';
import { globToRegExp, limitHosts } from '../../src/inventory/limit.js';
import type { HostEntry } from '../../src/inventory/types.js';

const host = (name: string, groups: string[] = []): HostEntry => ({ name, spec: { name, kind: 'ssh', host: name }, groups, vars: {} });
const fleet = [
  host('web-1', ['web', 'eu']),
  host('web-2', ['web', 'us']),
  host('db-1', ['db', 'eu']),
  host('db-2', ['db', 'us']),
  host('cache.example', []),
];
const names = (limit: string | undefined) => limitHosts(fleet, limit).map((h) => h.name);

describe('--limit', () => {
  it.each([
    [undefined, ['web-1', 'web-2', 'db-1', 'db-2', 'cache.example']],
    ['', ['web-1', 'web-2', 'db-1', 'db-2', 'cache.example']],
    ['web-1', ['web-1']],
    ['db-2,web-1', ['web-1', 'db-2']],
    ['web-*', ['web-1', 'web-2']],
    ['db', ['db-1', 'db-2']],
    ['web,db,!eu', ['web-2', 'db-2']],
    ['!web', ['db-1', 'db-2', 'cache.example']],
    ['eu,&db', ['db-1']],
    ['*-?', ['web-1', 'web-2', 'db-1', 'db-2']],
    ['cache.example', ['cache.example']],
    [' web-1 , db-1 ', ['web-1', 'db-1']],
  ])('%j', (limit, want) => {
    expect(names(limit)).toEqual(want);
  });

  it('keeps inventory order, not pattern order', () => {
    expect(names('db-1,web-2')).toEqual(['web-2', 'db-1']);
  });

  it.each(['web-9', 'web,!nope', 'dbx*'])('a pattern matching nothing is a usage error: %j', (limit) => {
    expect(() => names(limit)).toThrow(UsageError);
  });

  it('excluding everything is an error', () => {
    expect(() => names('web,!web')).toThrow(/leaves no host/);
  });

  it('dots and other regex characters in names are literal', () => {
    expect(globToRegExp('cache.example').test('cacheXexample')).toBe(false);
    expect(globToRegExp('a+b').test('a+b')).toBe(true);
  });

  it('a name always selects exactly itself (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9.-]{0,10}$/), { minLength: 1, maxLength: 8 }), (hostNames) => {
        const hosts = hostNames.map((n) => host(n));
        for (const n of hostNames) expect(limitHosts(hosts, n).map((h) => h.name)).toEqual([n]);
      }),
    );
  });
});
