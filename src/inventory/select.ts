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
  inventory?: string;
  host?: string[];
  sshConfigHosts?: boolean;
  limit?: string;
}

export const localHost: HostEntry = { name: 'local', spec: { name: 'local', kind: 'local' }, groups: [], vars: {} };

export function resolveHosts(sel: HostSelection, warn: (message: string) => void = () => {}): HostEntry[] {
  const fromInventory: HostEntry[] = [];
  if (sel.inventory) {
    const inv = loadInventory(sel.inventory);
    inv.warnings.forEach(warn);
    fromInventory.push(...inv.hosts);
  }
  if (sel.sshConfigHosts) fromInventory.push(...sshConfigAliases().map(sshAliasEntry));
  const byName = new Map(fromInventory.map((h) => [h.name, h]));
  const fromFlags = (sel.host ?? []).map((text): HostEntry => {
    const known = byName.get(text);
    if (known) return known;
    if (text.startsWith('ssh:')) return sshAliasEntry(text.slice(4));
    const spec = parseTarget(text);
    return { name: spec.name, spec, groups: [], vars: {} };
  });
  // -H picks hosts (an inventory host by name, or a new target); without it, all inventory hosts.
  const picked = fromFlags.length > 0 ? fromFlags : fromInventory;
  const unique = [...new Map(picked.map((h) => [h.name, h])).values()];
  if (unique.length === 0) {
    if (sel.inventory || sel.sshConfigHosts) throw new UsageError(`no hosts in ${sel.inventory ?? '~/.ssh/config'}`);
    return selectHosts([localHost], sel.limit);
  }
  return selectHosts(unique, sel.limit);
}
