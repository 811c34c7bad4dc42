/**
 * One source of truth: every step's host tasks (what `render` puts in a script) carry the same test
 * as the plan, evaluated on facts. For every release, fresh and converged (and a few states in
 * between), a step the plan calls ok has no task whose test fails on those facts, and a step the
 * plan would change has at least one.
 */
import { describe, expect, it } from 'vitest';
import { planForHost } from '../../src/plan/build.js';
import { makeContext } from '../../src/plan/context.js';
import { changes } from '../../src/plan/model.js';
import { stepDefinition } from '../../src/plan/steps/index.js';
import { selectPlaybook } from '../../src/playbook/select.js';
import type { Facts } from '../../src/facts/types.js';
import { factsFor, playbooks } from '../fixtures/facts/build.js';
import { RELEASES } from '../fixtures/facts/releases.js';

function disagreements(facts: Facts, options: { dockerVersion?: string; source?: 'docker' | 'distro' } = {}): string[] {
  const opts = { loginUser: 'admin', ...options };
  const plan = planForHost(facts, playbooks, opts);
  const ctx = makeContext(facts, selectPlaybook(facts.os, playbooks), opts);
  const out: string[] = [];
  for (const step of plan.steps) {
    const failing = stepDefinition(step.id)
      .tasks(ctx)
      .filter((t) => !t.check && t.test.holds?.(facts) === false)
      .map((t) => t.test.what);
    if (changes(step) && step.id !== 'services' && failing.length === 0) out.push(`${step.id}: plan changes (${step.reason}) but every task test holds`);
    if (!changes(step) && failing.length > 0) out.push(`${step.id}: plan ok but tasks fail: ${failing.join('; ')}`);
  }
  return out;
}

describe.each(RELEASES)('%s', (name) => {
  it('fresh and converged: the tasks agree with the plan', () => {
    expect(disagreements(factsFor(name, 'fresh'))).toEqual([]);
    expect(disagreements(factsFor(name, 'converged'))).toEqual([]);
  });
  it('half-converged states agree too', () => {
    const patches: Array<(f: Facts) => void> = [
      (f) => { f.dockerGroup = { exists: true, members: [] }; },
      (f) => { f.overlay = { supported: true, moduleLoaded: true, persisted: true }; },
      (f) => {
        const unit = f.units['docker.service'];
        if (unit) f.units['docker.service'] = { ...unit, activeState: 'failed', result: 'start-limit-hit' };
      },
      (f) => { f.daemonJson = { path: '/etc/docker/daemon.json', exists: true, content: '{"log-driver":"local","storage-driver":"overlay2"}' }; },
    ];
    for (const p of patches) expect(disagreements(factsFor(name, 'converged', p))).toEqual([]);
  });
});

it('a pinned version that is not installed is a failing packages test', () => {
  expect(disagreements(factsFor('debian-12', 'converged'), { dockerVersion: '28.1' })).toEqual([]);
});
