/**
 * buildPlan: facts + playbook selection + options → Plan. Pure: no I/O, no clock, no randomness, so
 * `plan` and `up` produce the same commands from the same facts, and golden files can pin them.
 */
import type { Facts } from '../facts/types.js';
import type { Playbook, StepId } from '../playbook/schema.js';
import { selectPlaybook, type DistroOverride, type Selection } from '../playbook/select.js';
import { makeContext, type PlanContext, type PlanOptions } from './context.js';
import type { Plan, PlanStep } from './model.js';
import { checkPreconditions } from './preconditions.js';
import { packages } from './steps/packages.js';
import { prerequisites, removeConflicts, repository } from './steps/repository.js';
import type { StepResult } from './steps/result.js';
import { services, verify } from './steps/services.js';
import { storage, storageWork } from './steps/storage.js';
import { users } from './steps/users.js';
import { waitReady } from './steps/wait-ready.js';

export const STEP_TITLES: Record<StepId, string> = {
  'wait-ready': 'Wait until the host is ready',
  prerequisites: 'Prerequisites',
  'remove-conflicts': 'Remove conflicting packages',
  repository: 'Docker package repository',
  packages: 'Docker packages',
  storage: 'Storage driver',
  users: 'docker group members',
  services: 'Services',
  verify: 'Verify',
};

export function buildPlan(facts: Facts, selection: Selection, options: PlanOptions = {}): Plan {
  const ctx = makeContext(facts, selection, options);
  // Analysed before any step so that errors (invalid daemon.json, hidden data) stop the plan early
  // and later steps (services) know what earlier ones change.
  const storageAnalysis = storageWork(ctx);
  const steps: PlanStep[] = [];
  for (const { step: id } of selection.playbook.steps) {
    const result = runStep(id, ctx, steps, storageAnalysis);
    steps.push({ id, title: STEP_TITLES[id], ...result });
  }
  checkPreconditions(ctx, steps);
  return {
    host: facts.host,
    playbook: selection.playbook.id,
    distro: distroName(selection),
    matchedBy: selection.via,
    source: ctx.source,
    steps,
  };
}

function runStep(id: StepId, ctx: PlanContext, earlier: PlanStep[], storageAnalysis: ReturnType<typeof storageWork>): StepResult {
  switch (id) {
    case 'wait-ready':
      return waitReady(ctx);
    case 'prerequisites':
      return prerequisites(ctx);
    case 'remove-conflicts':
      return removeConflicts(ctx);
    case 'repository':
      return repository(ctx);
    case 'packages':
      return packages(ctx);
    case 'storage':
      return storage(ctx, storageAnalysis);
    case 'users':
      return users(ctx);
    case 'services':
      return services(ctx, storageAnalysis, (earlier.find((s) => s.id === 'packages')?.commands.length ?? 0) > 0);
    case 'verify':
      return verify(ctx, earlier);
  }
}

function distroName({ playbook, release }: Selection): string {
  if (!release) return playbook.title;
  return `${playbook.title} ${release.version}${release.codename ? ` (${release.codename})` : ''}`;
}

/** Select the playbook for the host's os-release (with per-host overrides) and build its plan. */
export function planForHost(facts: Facts, playbooks: readonly Playbook[], options: PlanOptions & DistroOverride = {}): Plan {
  return buildPlan(facts, selectPlaybook(facts.os, playbooks, { os: options.os, codename: options.codename }), options);
}
