/**
 * Every plan step, once: id, title and the function that decides it. build.ts walks the steps a
 * playbook declares through this table; a new step is one row here plus its module. Steps get the
 * same two arguments — the per-host context and the per-plan state (what earlier steps decided).
 */
import type { StepId } from '../../playbook/schema.js';

import type { PlanContext } from '../context.js';
import type { PlanStep } from '../model.js';
import { packages } from './packages.js';
import { prerequisites, removeConflicts, repository } from './repository.js';
import type { StepResult } from './result.js';
import { rootless } from './rootless.js';
import { services, verify } from './services.js';
import type { PlanState } from './state.js';
import { storage, storageWork } from './storage.js';
import { users } from './users.js';
import { waitReady } from './wait-ready.js';

export interface StepDefinition {
  id: StepId;
  title: string;
  decide(ctx: PlanContext, state: PlanState): StepResult;
  /** A step that only some plans have (rootless: only with --rootless); absent = every plan. */
  applies?(ctx: PlanContext): boolean;
}

export const STEPS: readonly StepDefinition[] = [
  { id: 'wait-ready', title: 'Wait until the host is ready', decide: waitReady },
  { id: 'prerequisites', title: 'Prerequisites', decide: prerequisites },
  { id: 'remove-conflicts', title: 'Remove conflicting packages', decide: removeConflicts },
  { id: 'repository', title: 'Docker package repository', decide: repository },
  { id: 'packages', title: 'Docker packages', decide: packages },
  { id: 'storage', title: 'Storage driver', decide: storage },
  { id: 'users', title: 'docker group members', decide: users },
  { id: 'services', title: 'Services', decide: services },
  { id: 'rootless', title: 'Rootless Docker per user', decide: rootless, applies: (ctx) => ctx.rootless },
  { id: 'verify', title: 'Verify', decide: verify },
];

const BY_ID = new Map(STEPS.map((s) => [s.id, s]));

export function stepDefinition(id: StepId): StepDefinition {
  const def = BY_ID.get(id);
  // The playbook schema admits only known ids; this guards a schema step without a table row.
  if (!def) throw new Error(`plan step ${id} has no definition in src/plan/steps/index.ts`);
  return def;
}

/**
 * The state before the first step. Storage is analysed up front so that its errors (invalid
 * daemon.json, data a driver switch would hide) stop the plan before any step, and so that later
 * steps (services) know what it changes.
 */
export function startPlan(ctx: PlanContext): PlanState & { earlier: PlanStep[] } {
  return { earlier: [], storage: storageWork(ctx) };
}
