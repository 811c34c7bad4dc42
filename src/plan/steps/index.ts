/**
 * Every plan step, once: id, title and the function that decides it. build.ts walks the steps a
 * playbook declares through this table; a new step is one row here plus its module. Steps get the
 * same two arguments — the per-host context and the per-plan state (what earlier steps decided).
 */
import type { StepId } from '../../playbook/schema.js';

import type { PlanContext } from '../context.js';
import type { PlanStep } from '../model.js';
import { packages, packagesTasks } from './packages.js';
import { prerequisites, prerequisitesTasks, removeConflicts, removeConflictsTasks, repository, repositoryTasks } from './repository.js';
import type { StepResult } from './result.js';
import { rootless, rootlessTasks } from './rootless.js';
import { services, servicesTasks, verify, verifyTasks } from './services.js';
import type { PlanState } from './state.js';
import { storage, storageHelpers, storagePreflight, storageTasks, storageWork } from './storage.js';
import type { HostTask, Preflight, Target } from './task.js';
import { users, usersTasks } from './users.js';
import { waitReady, waitReadyTasks } from './wait-ready.js';

export type { HostTask, Preflight, StateTest, Target } from './task.js';

/**
 * One step, two ways over the same building blocks: decide() for `plan`/`up` (from facts: what to
 * run now), tasks() for `render` (from the playbook and options: test + action, decided on the host).
 * Each task's test carries holds(facts), computed by the functions decide() uses, so the plan and
 * the rendered script agree on "converged" (test/unit/plan-tasks-agree.test.ts checks every release).
 */
export interface StepDefinition {
  id: StepId;
  title: string;
  decide(ctx: PlanContext, state: PlanState): StepResult;
  tasks(target: Target): HostTask[];
  /** Shell function definitions the tasks call, included once at the top of a rendered script. */
  helpers?(target: Target): string[];
  /** A step that only some plans have (rootless: only with --rootless); absent = every plan. */
  applies?(ctx: Target): boolean;
  /** Host conditions checked before any step of a rendered script runs (plan's up-front refusals). */
  preflight?(target: Target): Preflight[];
}

export const STEPS: readonly StepDefinition[] = [
  { id: 'wait-ready', title: 'Wait until the host is ready', decide: waitReady, tasks: waitReadyTasks },
  { id: 'prerequisites', title: 'Prerequisites', decide: prerequisites, tasks: prerequisitesTasks },
  { id: 'remove-conflicts', title: 'Remove conflicting packages', decide: removeConflicts, tasks: removeConflictsTasks },
  { id: 'repository', title: 'Docker package repository', decide: repository, tasks: repositoryTasks },
  { id: 'packages', title: 'Docker packages', decide: packages, tasks: packagesTasks },
  { id: 'storage', title: 'Storage driver', decide: storage, tasks: storageTasks, helpers: storageHelpers, preflight: storagePreflight },
  { id: 'users', title: 'docker group members', decide: users, tasks: usersTasks },
  { id: 'services', title: 'Services', decide: services, tasks: servicesTasks },
  { id: 'rootless', title: 'Rootless Docker per user', decide: rootless, tasks: rootlessTasks, applies: (ctx) => ctx.rootless },
  { id: 'verify', title: 'Verify', decide: verify, tasks: verifyTasks },
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
