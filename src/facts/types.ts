/**
 * Typed facts about one host, gathered in a single round trip by the facts probe (src/facts/probe.ts)
 * and parsed by pure functions. Each part is a fact area (src/facts/areas/): its shell fragment, its
 * parser and its type side by side; Facts is all of them together.
 * Playbook actions and doctor checks read only these; they never run commands themselves.
 *
 * Convention: a field is `undefined` when the probe could not tell (tool missing, no permission);
 * `false`/empty when it looked and found nothing.
 */
import type { CloudInitAreaFacts } from './areas/cloud-init.js';
import type { DaemonAreaFacts } from './areas/daemon.js';
import type { DockerAreaFacts } from './areas/docker.js';
import type { InitAreaFacts } from './areas/init.js';
import type { LocksAreaFacts } from './areas/locks.js';
import type { OsAreaFacts } from './areas/os.js';
import type { PackagesAreaFacts } from './areas/packages.js';
import type { RootlessAreaFacts } from './areas/rootless.js';
import type { RepositoryAreaFacts } from './areas/repository.js';
import type { ServicesAreaFacts } from './areas/services.js';
import type { StorageAreaFacts } from './areas/storage.js';
import type { UserAreaFacts } from './areas/user.js';
import type { DataRootTargetFacts } from './data-root-target.js';

/** A file as a probe read it (defined with the framing that carries it). */
export type { FileContent } from '../probe/framing.js';
export type { FactsRequest } from './areas/area.js';
export type { DaemonInfo, DaemonUnitFacts } from './areas/daemon.js';
export type { PathStat } from './areas/docker.js';
export type { InitFacts, InitSystem } from './areas/init.js';
export type { LockHolder } from './areas/locks.js';
export type { PackageManager } from './areas/packages.js';
export type { KeyFileFacts } from './areas/repository.js';
export type { UnitState } from './areas/services.js';
export type { DockerRootFacts } from './areas/storage.js';
export type { GroupFacts, PrivilegeFacts, UserFacts } from './areas/user.js';
export type { OsRelease } from './os-release.js';
export type { DataRootTargetFacts } from './data-root-target.js';

export interface Facts
  extends OsAreaFacts,
    InitAreaFacts,
    PackagesAreaFacts,
    UserAreaFacts,
    ServicesAreaFacts,
    DockerAreaFacts,
    DaemonAreaFacts,
    StorageAreaFacts,
    CloudInitAreaFacts,
    LocksAreaFacts,
    RepositoryAreaFacts,
    RootlessAreaFacts {
  /** The target's display name. */
  host: string;
  /** Measured as root only when a data-root move is planned (src/facts/data-root-target.ts); undefined otherwise. */
  dataRootTarget?: DataRootTargetFacts;
}
