/**
 * Golden plans: for every supported release, the exact text `dockhand plan` prints for a fresh host
 * and for a converged one. `UPDATE_GOLDEN=1 npm run test:unit` rewrites them — review the diff.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planForHost } from '../../src/plan/build.js';
import { changeCount } from '../../src/plan/model.js';
import { renderPlan } from '../../src/plan/render.js';
import { factsFor, playbooks, recordedConverged, type HostState } from '../fixtures/facts/build.js';

const GOLDEN_DIR = fileURLToPath(new URL('../golden/plans/', import.meta.url));

import { RELEASES } from '../fixtures/facts/releases.js';

export { RELEASES };

function checkGolden(file: string, actual: string) {
  const path = `${GOLDEN_DIR}${file}`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  // A missing file fails everywhere: writing it here would make a new case pass without anyone reading it.
  if (!existsSync(path)) throw new Error(`missing golden file ${path}: run with UPDATE_GOLDEN=1 and review the new file`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe.each(RELEASES)('%s', (name) => {
  it.each<HostState>(['fresh', 'converged'])('%s plan matches its golden file', (state) => {
    const plan = planForHost(factsFor(name, state), playbooks, { loginUser: 'admin' });
    if (state === 'fresh') expect(changeCount(plan)).toBeGreaterThan(0);
    else expect(plan.steps.flatMap((s) => s.commands)).toEqual([]);
    checkGolden(`${name}.${state}.txt`, renderPlan(plan));
  });
});

it('the recorded converged host, exactly as its probe reported it, plans nothing with the source it was converged with', () => {
  // The recording's SSH login user was deploy.
  const plan = planForHost(recordedConverged(), playbooks, { source: 'distro', loginUser: 'deploy' });
  expect(plan.steps.filter((s) => s.commands.length).map((s) => `${s.id}: ${s.reason}`)).toEqual([]);
});
