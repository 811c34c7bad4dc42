import type { CheckInput } from './checks/types.js';

/**
 * Which image store the daemon the client reaches uses, from its own `docker info` answer:
 * `containerd` (the containerd snapshotter: Engine 29's default on fresh installs) or the graph
 * driver's name (`overlay2`, …). Undefined without an answer: the fleet table then says nothing
 * rather than guess. The value is the daemon's text, so it is kept short and plain.
 */
export function imageStoreOf(input: Pick<CheckInput, 'primary'>): string | undefined {
  const info = input.primary?.ok ? input.primary.info : undefined;
  if (!info?.Driver) return undefined;
  const driverType = info.DriverStatus?.find(([k]) => k === 'driver-type')?.[1] ?? '';
  if (driverType.includes('snapshotter') || info.Driver === 'overlayfs') return 'containerd';
  return /^[A-Za-z0-9._-]{1,32}$/.test(info.Driver) ? info.Driver : 'other';
}

/**
 * The fleet's hosts grouped by image store, when they differ (undefined when all that answered
 * agree): images pushed, pulled or built on one kind are not where the other kind looks, and a
 * switch hides what the old store holds — a fleet owner wants to see the mix.
 */
export function mixedImageStores(stores: ReadonlyMap<string, string | undefined>): Map<string, string[]> | undefined {
  const byStore = new Map<string, string[]>();
  for (const [host, store] of stores) if (store) byStore.set(store, [...(byStore.get(store) ?? []), host]);
  return byStore.size > 1 ? byStore : undefined;
}
