/**
 * The hosts a command works on, from every way the command line can name them:
 * `-i` inventory, `--ssh-config-hosts`, `-H` targets (`[user@]host[:port]`, `local`, `ssh:alias`, or the
 * name of an inventory host: then only the -H hosts are used), then `--limit`. Nothing named means this machine.
 */
import { UsageError } from '../core/errors.js';
import { parseTarget } from '../core/targets.js';
import { selectHosts } from './limit.js';
import { loadInventory } from './load.js';
import { sshAliasEntry, sshConfigAliases } from './ssh-config.js';
import type { HostEntry } from './types.js';

export interface HostSelection {
  /** One inventory, or several (`-i a -i b`: hosts of all, the first definition of a name wins). */
  inventory?: string | string[];
  host?: string[];
  sshConfigHosts?: boolean;
  limit?: string;
}

export const localHost: HostEntry = { name: 'local', spec: { name: 'local', kind: 'local' }, groups: [], vars: {} };

export function resolveHosts(sel: HostSelection, warn: (message: string) => void = () => {}): HostEntry[] {
  const fromInventory: HostEntry[] = [];
  const sources = [sel.inventory ?? []].flat();
  for (const source of sources) {
    const inv = loadInventory(source);
    inv.warnings.forEach(warn);
    fromInventory.push(...inv.hosts);
  }
  if (sel.sshConfigHosts) fromInventory.push(...sshConfigAliases().map(sshAliasEntry));
  const byName = new Map([...fromInventory].reverse().map((h) => [h.name, h]));
  const fromFlags = (sel.host ?? []).map((text): HostEntry => {
    const known = byName.get(text);
    if (known) return known;
    if (text.startsWith('ssh:')) return sshAliasEntry(text.slice(4));
    const spec = parseTarget(text);
    return { name: spec.name, spec, groups: [], vars: {} };
  });
  // -H picks hosts (an inventory host by name, or a new target); without it, all inventory hosts.
  const picked = fromFlags.length > 0 ? fromFlags : fromInventory;
  const seen = new Set<string>();
  const unique = picked.filter((h) => {
    if (seen.has(h.name)) return false;
    seen.add(h.name);
    return true;
  });
  if (unique.length === 0) {
    if (sources.length > 0 || sel.sshConfigHosts) throw new UsageError(`no hosts in ${[...sources, ...(sel.sshConfigHosts ? ['~/.ssh/config'] : [])].join(', ')}`);
    return selectHosts([localHost], sel.limit);
  }
  return selectHosts(unique, sel.limit);
}
