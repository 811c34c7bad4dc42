/**
 * The hosts a command works on, from every way the command line can name them:
 * `-i` inventory, `--ssh-config-hosts`, `-H` targets (`[user@]host[:port]`, `local`, `ssh:alias`, or the
 * name of an inventory host: then only the -H hosts are used), then `--limit`. Nothing named means this machine.
 *
 * The verbs, one meaning each: load (read inventories into host entries: loadInventory, loadInventories),
 * select (which of them, or which -H targets, a command works on: selectHosts), limit (`--limit`
 * patterns over those: limitHosts, limit.ts).
 *
 * The inventory loaders (load.ts) need yaml and zod, which a plain `-H` or local run should not load
 * at start-up: they are imported only when an inventory is named.
 */
import { UsageError } from '../core/errors.js';
import { parseTarget } from '../model/targets.js';
import { hostNameProblem, printable } from '../core/values.js';
import { limitHosts } from './limit.js';
import { sshAliasEntry, sshConfigAliases } from './ssh-config.js';
import type { HostEntry } from './types.js';

export interface HostSelection {
  /** One inventory, or several (`-i a -i b`: hosts of all, the first definition of a name wins). */
  inventory?: string | string[];
  host?: string[];
  sshConfigHosts?: boolean;
  /** `--ssh-config`: where --ssh-config-hosts reads Host aliases (default ~/.ssh/config). */
  sshConfigFile?: string;
  limit?: string;
}

export const localHost: HostEntry = { name: 'local', spec: { name: 'local', kind: 'local' }, groups: [], vars: {} };

export const inventorySources = (sel: HostSelection): string[] => [sel.inventory ?? []].flat();

/** The selection's hosts, given the hosts of its inventories (already loaded, in order). */
export function selectHosts(sel: HostSelection, inventoryHosts: readonly HostEntry[]): HostEntry[] {
  const fromInventory = [...inventoryHosts];
  if (sel.sshConfigHosts) fromInventory.push(...sshConfigAliases(sel.sshConfigFile).map((a) => sshAliasEntry(a)));
  const byName = new Map([...fromInventory].reverse().map((h) => [h.name, h]));
  const fromFlags = (sel.host ?? []).map((text): HostEntry => {
    const known = byName.get(text);
    if (known) return known;
    if (text.startsWith('ssh:')) {
      const problem = hostNameProblem(text.slice(4));
      if (problem) throw new UsageError(`bad host '${printable(text)}': ${problem}`);
      return sshAliasEntry(text.slice(4));
    }
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
  const sources = inventorySources(sel);
  if (unique.length === 0) {
    if (sources.length > 0 || sel.sshConfigHosts) throw new UsageError(`no hosts in ${[...sources, ...(sel.sshConfigHosts ? [sel.sshConfigFile ?? '~/.ssh/config'] : [])].join(', ')}`);
    return limitHosts([localHost], sel.limit);
  }
  return limitHosts(unique, sel.limit);
}

/** The hosts of every inventory, in order (duplicates kept: selectHosts lets the first win). */
export async function loadInventories(sources: readonly string[], warn: (message: string) => void): Promise<HostEntry[]> {
  if (sources.filter((s) => s === '-').length > 1) throw new UsageError('-i - given twice: stdin holds one inventory');
  if (sources.length === 0) return [];
  const { loadInventory } = await import('./load.js');
  return sources.flatMap((source) => {
    const inv = loadInventory(source);
    inv.warnings.forEach(warn);
    return inv.hosts;
  });
}

/** The hosts a command line names (see the top of this file). */
export async function resolveHosts(sel: HostSelection, warn: (message: string) => void = () => {}): Promise<HostEntry[]> {
  return selectHosts(sel, await loadInventories(inventorySources(sel), warn));
}
