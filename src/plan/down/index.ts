/**
 * The removal steps, once: id, title, decide (as plan/steps/index.ts is for `up`), and the pure
 * buildDownPlan walking them. Order matters: the socket and services stop before the packages go
 * (else the socket starts the daemon again), the hold is released before apt would refuse to remove.
 */
import type { Facts } from '../../facts/types.js';
import type { Playbook } from '../../playbook/schema.js';
import { selectPlaybook, type DistroOverride } from '../../playbook/select.js';
import { distroName } from '../build.js';
import { chooseTool, packageManagerOps } from '../package-managers.js';
import { serviceManagerFor } from '../service-managers.js';
import type { StepResult } from '../steps/result.js';
import type { DownOptions, DownPlan, DownStepId } from './model.js';
import { groupMembers, purgeData, releaseHold, removePackages, removeRepository, stopServices, type DownContext } from './steps.js';

export interface DownStepDefinition {
  id: DownStepId;
  title: string;
  decide(ctx: DownContext): StepResult;
}

export const DOWN_STEPS: readonly DownStepDefinition[] = [
  { id: 'stop-services', title: 'Stop and disable the Docker services', decide: stopServices },
  { id: 'release-hold', title: 'Release the version hold', decide: releaseHold },
  { id: 'remove-packages', title: 'Remove the Docker packages', decide: removePackages },
  { id: 'remove-repository', title: "Remove dockhand's repository and key files", decide: removeRepository },
  { id: 'group-members', title: 'docker group members', decide: groupMembers },
  { id: 'purge-data', title: 'Docker data', decide: purgeData },
];

export function buildDownPlan(facts: Facts, playbooks: readonly Playbook[], options: DownOptions & DistroOverride = {}): DownPlan {
  const { playbook, release } = selectPlaybook(facts.os, playbooks, { os: options.os, codename: options.codename });
  const lockTimeout = playbook.steps.find((s) => s.step === 'wait-ready')?.lockTimeoutSeconds ?? 600;
  const ctx: DownContext = {
    facts,
    playbook,
    pm: packageManagerOps(chooseTool(facts, release?.packageManager ?? playbook.packageManager), lockTimeout),
    serviceManager: serviceManagerFor(facts),
    options,
  };
  return {
    host: facts.host,
    playbook: playbook.id,
    distro: distroName({ playbook, release }),
    steps: DOWN_STEPS.map(({ id, title, decide }) => ({ id, title, ...decide(ctx) })),
  };
}
