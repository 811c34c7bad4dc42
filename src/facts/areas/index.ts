/**
 * The fact areas in the one order the probe runs their fragments. The order matters only where a
 * fragment reads a shell variable an earlier one set (storage.sh reads docker.sh's dh_root, and says
 * so with `${dh_root:?}`; daemon.sh reads its dh_pid), and for the script's arguments: user.sh reads them ("$@", the accounts
 * asked about) before locks.sh reuses the positional parameters with `set --`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../core/paths.js';
import type { FactArea } from './area.js';
import { cloudInitArea } from './cloud-init.js';
import { daemonArea } from './daemon.js';
import { dockerArea } from './docker.js';
import { initArea } from './init.js';
import { locksArea } from './locks.js';
import { osArea } from './os.js';
import { packagesArea } from './packages.js';
import { rootlessArea } from './rootless.js';
import { repositoryArea } from './repository.js';
import { servicesArea } from './services.js';
import { storageArea } from './storage.js';
import { userArea } from './user.js';

export const AREAS = [
  osArea,
  initArea,
  packagesArea,
  userArea,
  // Reads the script's arguments too (the users asked about), so before locks.sh.
  rootlessArea,
  servicesArea,
  dockerArea,
  daemonArea,
  storageArea,
  cloudInitArea,
  locksArea,
  repositoryArea,
] as const;

/**
 * The areas the probe runs in its engine part (probe.ts), beside the others, in this order: docker.sh
 * first (daemon-info.sh and storage.sh read its dh_pid and dh_root), then more by time on a host, so
 * the parts take about as long (Debian 12 test host, each alone: host part ~75 ms, engine part ~65 ms
 * with docker info ~50 ms beside it; the whole probe ~180 ms one after the other, ~140 ms now).
 */
export const ENGINE_PART: readonly FactArea<unknown>[] = [dockerArea, daemonArea, storageArea, servicesArea, locksArea, repositoryArea];

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
/** Everything the areas parse, together: Facts (types.ts) is this plus the host's name. */
export type AreaFacts = UnionToIntersection<(typeof AREAS)[number] extends infer A ? (A extends FactArea<infer T> ? T : never) : never>;

/** Where the fragments are (shipped in the npm package beside dist/, see package.json `files`). */
export const areasDir = join(packageRoot, 'src', 'facts', 'areas');

const fragments = new Map<string, string>();

/** An area's fragment text, read on first use and kept (a run needs each once; startup should not pay). */
export function fragmentOf(area: FactArea<unknown>): string {
  return fragmentFile(area.script);
}

/** A fragment file of this folder by name (an area's, or a section the probe places itself). */
export function fragmentFile(script: string): string {
  let text = fragments.get(script);
  if (text === undefined) fragments.set(script, (text = readFileSync(join(areasDir, script), 'utf8')));
  return text;
}
