/**
 * buildPlan: facts + playbook selection + options → Plan. Pure: no I/O, no clock, no randomness, so
 * `plan` and `up` produce the same commands from the same facts, and golden files can pin them.
 */
import type { Facts } from '../facts/types.js';
import type { Playbook } from '../playbook/schema.js';
import { selectPlaybook, type DistroOverride, type Selection } from '../playbook/select.js';
import { makeContext, type PlanOptions } from './context.js';
import type { Plan } from './model.js';
import { checkPreconditions } from './preconditions.js';
import { startPlan, stepDefinition } from './steps/index.js';

export function buildPlan(facts: Facts, selection: Selection, options: PlanOptions = {}): Plan {
  const ctx = makeContext(facts, selection, options);
  const state = startPlan(ctx);
  for (const { step: id } of selection.playbook.steps) {
    const { title, decide, applies } = stepDefinition(id);
    if (applies && !applies(ctx)) continue;
    state.earlier.push({ id, title, ...decide(ctx, state) });
  }
  checkPreconditions(ctx, state.earlier);
  return {
    host: facts.host,
    playbook: selection.playbook.id,
    distro: distroName(selection),
    matchedBy: selection.via,
    source: ctx.source,
    steps: state.earlier,
  };
}

export function distroName({ playbook, release }: Pick<Selection, 'playbook' | 'release'>): string {
  if (!release) return playbook.title;
  return `${playbook.title} ${release.version}${release.codename ? ` (${release.codename})` : ''}`;
}

/** Select the playbook for the host's os-release (with per-host overrides) and build its plan. */
export function planForHost(facts: Facts, playbooks: readonly Playbook[], options: PlanOptions & DistroOverride = {}): Plan {
  return buildPlan(facts, selectPlaybook(facts.os, playbooks, { os: options.os, codename: options.codename }), options);
}
