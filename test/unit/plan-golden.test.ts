/**
 * Golden plans: for every supported release, the exact text `dockhand plan --show-commands` prints for
 * a fresh host and for a converged one (golden/plans/), and the compact `dockhand plan` (one line per
 * step and per command, golden/plans-compact/), plus one coloured. `UPDATE_GOLDEN=1 npm run test:unit`
 * rewrites them — review the diff.
 */
import { describe, expect, it } from 'vitest';
import { checkGolden } from '../harness/golden.js';
import { planForHost } from '../../src/plan/build.js';
import { changeCount } from '../../src/plan/model.js';
import { renderPlan } from '../../src/plan/render.js';
import { colourPaint } from '../../src/core/output-colour.js';
import { factsFor, playbooks, recordedConverged, type HostState } from '../fixtures/facts/build.js';


import { RELEASES } from '../fixtures/facts/releases.js';

export { RELEASES };

describe.each(RELEASES)('%s', (name) => {
  it.each<HostState>(['fresh', 'converged'])('%s plan matches its golden file', (state) => {
    const plan = planForHost(factsFor(name, state), playbooks, { loginUser: 'admin' });
    if (state === 'fresh') expect(changeCount(plan)).toBeGreaterThan(0);
    else expect(plan.steps.flatMap((s) => s.commands)).toEqual([]);
    checkGolden(`plans/${name}.${state}.txt`, renderPlan(plan, { showCommands: true }));
    checkGolden(`plans-compact/${name}.${state}.txt`, renderPlan(plan));
  });
});

describe('the compact plan', () => {
  const plan = planForHost(factsFor('debian-12', 'fresh'), playbooks, { loginUser: 'admin' });
  const compact = renderPlan(plan);
  const full = renderPlan(plan, { showCommands: true });

  it('is one heading, one line per step, one per command and one note line per note, and a count', () => {
    const changing = plan.steps.filter((s) => s.commands.length);
    const notes = changing.reduce((n, s) => n + s.notes.length + (s.restartsDocker ? 1 : 0) + (s.reconnectAfter ? 1 : 0), 0);
    const commands = plan.steps.reduce((n, s) => n + s.commands.length, 0);
    expect(compact.trimEnd().split('\n')).toHaveLength(1 + plan.steps.length + commands + notes + 1);
    for (const step of plan.steps) expect(compact).toMatch(new RegExp(`^  (change|check|ok) +${step.id} +${step.title}`, 'm'));
    expect(compact).not.toMatch(/\|/);
  });

  it('--show-commands prints every script byte-identical to what up runs', () => {
    const scriptLines = full.split('\n').filter((l) => /^ +\| /.test(l)).map((l) => l.replace(/^ +\| /, ''));
    expect(scriptLines.join('\n')).toBe(plan.steps.flatMap((s) => s.commands.map((c) => c.script)).join('\n'));
  });

  it('with colour: the same text plus SGR colour only, and a golden file', () => {
    const coloured = renderPlan(plan, { paint: colourPaint });
    expect(coloured).toMatch(/\u001b\[33mchange/);
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(compact);
    checkGolden('plans-compact/debian-12.fresh.color.txt', coloured);
  });
});

it('the recorded converged host, exactly as its probe reported it, plans nothing with the source it was converged with', () => {
  // The recording's SSH login user was deploy.
  const plan = planForHost(recordedConverged(), playbooks, { source: 'distro', loginUser: 'deploy' });
  expect(plan.steps.filter((s) => s.commands.length).map((s) => `${s.id}: ${s.reason}`)).toEqual([]);
});
