/**
 * The removal plan (`dockhand down`, `plan --down`): the same shape as the install plan (model.ts),
 * its own step ids. Made by the pure buildDownPlan from facts, so `plan --down` is exactly what
 * `down` runs.
 */
import type { PlanStep } from '../model.js';

export type DownStepId = 'stop-services' | 'release-hold' | 'remove-packages' | 'remove-repository' | 'group-members' | 'purge-data';

export type DownStep = Omit<PlanStep, 'id'> & { id: DownStepId };

export interface DownPlan {
  host: string;
  playbook: string;
  distro: string;
  steps: DownStep[];
}

export interface DownOptions {
  /** Users whose docker group membership goes with --remove-group-members (default: the login user). */
  users?: string[];
  /** The login user as the controller knows it (never from facts). */
  loginUser?: string;
  /** Take the users out of the docker group too. */
  removeGroupMembers?: boolean;
  /** Delete the data directories too (their sizes, measured as root, in `dataSizes`). */
  purgeData?: boolean;
  /** Bytes under each data directory that exists (absent: it does not). */
  dataSizes?: Record<string, number>;
}

/** The data directories `down` keeps unless --purge-data: the data root the facts found, and containerd's. */
export const CONTAINERD_ROOT = '/var/lib/containerd';
