/**
 * Host selection with the inventories loaded (yaml, zod): `-i` files read here, the rest of the
 * selection (ssh-config hosts, -H, --limit) in pick.ts. Commands use pick.ts's resolveHostsLazily, which
 * loads this module only when an inventory is named.
 */
import { UsageError } from '../core/errors.js';
import { loadInventory } from './load.js';
import { inventorySources, pickHosts, type HostSelection } from './pick.js';
import type { HostEntry } from './types.js';

export { localHost, type HostSelection } from './pick.js';

/** The hosts of every inventory, in order (duplicates kept: pickHosts lets the first win). */
export function loadInventories(sources: readonly string[], warn: (message: string) => void): HostEntry[] {
  if (sources.filter((s) => s === '-').length > 1) throw new UsageError('-i - given twice: stdin holds one inventory');
  return sources.flatMap((source) => {
    const inv = loadInventory(source);
    inv.warnings.forEach(warn);
    return inv.hosts;
  });
}

export function resolveHosts(sel: HostSelection, warn: (message: string) => void = () => {}): HostEntry[] {
  return pickHosts(sel, loadInventories(inventorySources(sel), warn));
}
