/**
 * The subordinate ID allocator (src/plan/subids.ts): whatever /etc/subuid and /etc/subgid hold, new
 * ranges have the full size, stay inside login.defs' bounds, and overlap nothing existing and nothing
 * else allocated; fixed cases pin the first-fit choice a real host sees.
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SubIdRange } from '../../src/facts/areas/rootless.js';
import { FIRST_FIT_AWK } from '../../src/plan/steps/rootless.js';
import { allocateSubIds, SUBID_COUNT, SUBID_MAX, SUBID_MIN } from '../../src/plan/subids.js';

const overlaps = (a: { start: number; count: number }, b: { start: number; count: number }) =>
  a.start < b.start + b.count && b.start < a.start + a.count;

const range: fc.Arbitrary<SubIdRange> = fc.record({
  owner: fc.constantFrom('u1', 'u2', '1005', 'x'),
  // Near the bottom of the space, where allocations land, and anywhere else.
  start: fc.oneof(fc.integer({ min: 0, max: 400_000 }), fc.integer({ min: 0, max: 2 ** 32 - 70_000 })),
  count: fc.oneof(fc.integer({ min: 1, max: 70_000 }), fc.constant(65_536)),
});

describe('allocateSubIds', () => {
  it('never overlaps an existing range or another allocation, and keeps to size and bounds', () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 30 }), fc.uniqueArray(fc.constantFrom('alice', 'bob', 'carol', 'dave'), { minLength: 1 }), (taken, users) => {
        const got = allocateSubIds(taken, users);
        expect(got).toBeDefined();
        expect(got!.map((a) => a.user)).toEqual(users);
        for (const [i, a] of got!.entries()) {
          expect(a.count).toBe(SUBID_COUNT);
          expect(a.start).toBeGreaterThanOrEqual(SUBID_MIN);
          expect(a.start + a.count - 1).toBeLessThanOrEqual(SUBID_MAX);
          for (const t of taken) expect(overlaps(a, t), `${JSON.stringify(a)} overlaps ${JSON.stringify(t)}`).toBe(false);
          for (const b of got!.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is first fit: nothing free below the chosen start would have held the range', () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 20 }), (taken) => {
        const [a] = allocateSubIds(taken, ['alice'])!;
        // Every earlier candidate start (each range end, and the minimum) collides with something.
        const candidates = [SUBID_MIN, ...taken.map((t) => t.start + t.count)].filter((s) => s >= SUBID_MIN && s < a!.start);
        for (const s of candidates) expect(taken.some((t) => overlaps({ start: s, count: SUBID_COUNT }, t))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it.each<[string, SubIdRange[], string[], Array<[number]>]>([
    ['an empty file: the first range at 100000', [], ['alice'], [[100_000]]],
    ['after the distribution default of an existing user', [{ owner: 'deploy', start: 100_000, count: 65_536 }], ['alice'], [[165_536]]],
    ['into a gap that fits exactly', [{ owner: 'a', start: 100_000, count: 65_536 }, { owner: 'b', start: 231_072, count: 65_536 }], ['alice'], [[165_536]]],
    ['past a gap one ID too small', [{ owner: 'a', start: 100_000, count: 65_536 }, { owner: 'b', start: 231_071, count: 65_536 }], ['alice'], [[296_607]]],
    ['two users, one after the other', [], ['alice', 'bob'], [[100_000], [165_536]]],
    ['a range below the minimum does not count', [{ owner: 'x', start: 0, count: 100_000 }], ['alice'], [[100_000]]],
    ['one straddling the minimum does', [{ owner: 'x', start: 99_000, count: 2_000 }], ['alice'], [[101_000]]],
  ])('%s', (_name, taken, users, starts) => {
    expect(allocateSubIds(taken, users)!.map((a) => [a.start])).toEqual(starts);
  });

  it('says when no room is left below SUB_UID_MAX', () => {
    expect(allocateSubIds([{ owner: 'x', start: SUBID_MIN, count: SUBID_MAX - SUBID_MIN - 1000 }], ['alice'])).toBeUndefined();
  });
});

describe('the rendered scripts\' allocator (awk, decided on the host) agrees with allocateSubIds', () => {
  it('same first-fit start for the same files', () => {
    fc.assert(
      fc.property(fc.array(range, { maxLength: 12 }), fc.array(range, { maxLength: 12 }), (subuid, subgid) => {
        const text = (rs: SubIdRange[]) => `# comment\n${rs.map((r) => `${r.owner}:${r.start}:${r.count}`).join('\n')}\n\n`;
        const out = execFileSync('sh', ['-c', `cat | ${FIRST_FIT_AWK}`], { input: text(subuid) + text(subgid) }).toString().trim();
        expect(Number(out)).toBe(allocateSubIds([...subuid, ...subgid], ['alice'])![0]!.start);
      }),
      { numRuns: 60 },
    );
  });
});
