/**
 * Subordinate ID ranges for rootless users: a pure allocator over what /etc/subuid and /etc/subgid
 * already hold. A new range never overlaps any existing range of either file (one start serves both,
 * so a user's uid and gid maps line up, as useradd does it), nor one allocated earlier in the same call.
 */
import type { SubIdRange } from '../facts/areas/rootless.js';

/** login.defs defaults (SUB_UID_MIN, SUB_UID_MAX, SUB_UID_COUNT): what useradd would use. */
export const SUBID_MIN = 100_000;
export const SUBID_MAX = 600_100_000;
/** rootless Docker maps 65,536 IDs: everything a container image can own. */
export const SUBID_COUNT = 65_536;

export interface Allocation {
  user: string;
  start: number;
  count: number;
}

/** Ranges the user already has, by name or by numeric uid (both forms are valid in the files). */
export function rangesOf(ranges: readonly SubIdRange[], user: string, uid: number | undefined): SubIdRange[] {
  return ranges.filter((r) => r.owner === user || (uid !== undefined && r.owner === String(uid)));
}

/**
 * For each user (in order), the lowest free start ≥ min such that [start, start + count) overlaps no
 * range in `taken` and no earlier allocation, and ends ≤ max + 1. Undefined when no room is left.
 */
export function allocateSubIds(
  taken: readonly SubIdRange[],
  users: readonly string[],
  opts: { min?: number; max?: number; count?: number } = {},
): Allocation[] | undefined {
  const min = opts.min ?? SUBID_MIN;
  const max = opts.max ?? SUBID_MAX;
  const count = opts.count ?? SUBID_COUNT;
  const busy = taken.map((r) => ({ start: r.start, end: r.start + r.count }));
  const out: Allocation[] = [];
  for (const user of users) {
    busy.sort((a, b) => a.start - b.start);
    let start = min;
    for (const r of busy) {
      if (r.end <= start) continue;
      if (r.start >= start + count) break;
      start = r.end;
    }
    if (start + count - 1 > max) return undefined;
    busy.push({ start, end: start + count });
    out.push({ user, start, count });
  }
  return out;
}
