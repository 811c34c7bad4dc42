/**
 * `--limit` patterns, as in Ansible: a comma list of host names, group names and globs;
 * `!pattern` excludes, `&pattern` intersects. With no plain pattern, selection starts from every host.
 * A pattern that matches nothing is an error: it is almost always a typo, and running on fewer
 * hosts than intended should never pass silently.
 */
import { UsageError } from '../core/errors.js';
import type { HostEntry } from './types.js';

/** The hosts `--limit` leaves (all of them without one). */
export function limitHosts(hosts: readonly HostEntry[], limit: string | undefined): HostEntry[] {
  if (limit === undefined || limit.trim() === '') return [...hosts];
  const patterns = limit.split(',').map((p) => p.trim()).filter(Boolean);
  const include = patterns.filter((p) => !p.startsWith('!') && !p.startsWith('&'));
  const intersect = patterns.filter((p) => p.startsWith('&')).map((p) => p.slice(1));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));

  const matching = (pattern: string): Set<string> => {
    const re = globToRegExp(pattern);
    const names = new Set(hosts.filter((h) => re.test(h.name) || h.groups.some((g) => re.test(g))).map((h) => h.name));
    if (names.size === 0) {
      throw new UsageError(`--limit '${pattern}' matches no host or group`, `known hosts: ${preview(hosts.map((h) => h.name))}`);
    }
    return names;
  };

  let selected = include.length > 0 ? union(include.map(matching)) : new Set(hosts.map((h) => h.name));
  for (const p of intersect) {
    const keep = matching(p);
    selected = new Set([...selected].filter((n) => keep.has(n)));
  }
  for (const p of exclude) for (const n of matching(p)) selected.delete(n);
  if (selected.size === 0) throw new UsageError(`--limit '${limit}' leaves no host to work on`);
  return hosts.filter((h) => selected.has(h.name));
}

function union(sets: Set<string>[]): Set<string> {
  return new Set(sets.flatMap((s) => [...s]));
}

/** `*` any run of characters, `?` one character; everything else literal; whole-name match. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function preview(names: string[]): string {
  return names.length > 12 ? `${names.slice(0, 12).join(', ')}, … (${names.length})` : names.join(', ');
}
