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
import type { DaemonOptions } from '../../src/plan/daemon-settings.js';
import { storageWork } from '../../src/plan/steps/storage.js';
import { factsFor, playbooks } from '../fixtures/facts/build.js';
import { RELEASES } from '../fixtures/facts/releases.js';

function disagreements(facts: Facts, options: { dockerVersion?: string; source?: 'docker' | 'distro'; daemon?: DaemonOptions } = {}): string[] {
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

describe('with daemon settings (log rotation, live-restore, a mirror, a proxy, a raw key)', () => {
  const daemon: DaemonOptions = { logMaxSize: '10m', liveRestore: true, registryMirrors: ['https://m.example.test'], proxy: 'http://p.example.test:3128', settings: { debug: true } };
  it.each(['debian-12', 'ubuntu-24.04', 'rhel-9', 'alpine-3.22'])('%s: fresh, converged without them, and with the file the plan writes', (name) => {
    expect(disagreements(factsFor(name, 'fresh'), { daemon })).toEqual([]);
    const converged = factsFor(name, 'converged');
    expect(disagreements(converged, { daemon })).toEqual([]);
    const ctx = makeContext(converged, selectPlaybook(converged.os, playbooks), { loginUser: 'admin', daemon });
    const content = storageWork(ctx)!.daemonJson!.content;
    const written = factsFor(name, 'converged', (f) => {
      f.daemonJson = { path: '/etc/docker/daemon.json', exists: true, content };
    });
    expect(disagreements(written, { daemon })).toEqual([]);
    // And there the merge task's test holds: the plan leaves daemon.json alone.
    const merge = stepDefinition('storage').tasks(ctx).find((t) => t.summary.startsWith('merge '))!;
    expect(merge.test.holds?.(written)).toBe(true);
    expect(merge.test.holds?.(converged)).toBe(false);
  });
});
