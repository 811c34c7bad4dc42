/**
 * A host that `dockhand up` converged, as the facts probe sees it: boot Debian 12 with docker.io
 * preinstalled, run `up --source distro` over SSH as the sudoer `deploy`, then run the probe as
 * `deploy` (what `plan` does) and plan from that raw output. The plan must be empty.
 *
 * With RECORD_PROBE=1 the raw output is also written to
 * test/fixtures/probe/debian-12-converged-distro-user.probe: the unit tests' "converged" facts are
 * built from that recording (test/fixtures/facts/build.ts), so they show what a real converged host
 * reports rather than what the plan's own generators would write.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { factsProbeScript, parseProbeOutput } from '../../src/facts/gather.js';
import { loadPlaybooks } from '../../src/playbook/load.js';
import { planForHost } from '../../src/plan/build.js';
import { isConverged } from '../../src/plan/model.js';
import { homeWithKey, runCli } from '../harness/cli.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet } from '../harness/hosts.js';

const RECORDING = fileURLToPath(new URL('../fixtures/probe/debian-12-converged-distro-user.probe', import.meta.url));

describeHosts('a converged host as the probe records it', () => {
  let fleet: Fleet;
  let home: string;

  beforeAll(async () => {
    fleet = await bootHosts([{ name: 'deb12', suite: 'bookworm' }], { image: 'docker' });
    home = homeWithKey(fleet);
  });
  afterAll(async () => {
    await fleet?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('after `up --source distro`, the plan from the recorded probe output is empty', async () => {
    const h = fleet.host('deb12');
    const up = await runCli(fleet, home, ['up', '--source', 'distro', `deploy@${h.address}`]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);

    const probe = await h.ssh('deploy', 'sh -s', { input: factsProbeScript() });
    expect(probe.code, probe.stderr).toBe(0);
    const facts = parseProbeOutput(h.address, probe.stdout);
    const plan = planForHost(facts, loadPlaybooks(), { source: 'distro', loginUser: 'deploy' });
    expect(plan.steps.filter((s) => s.commands.length).map((s) => `${s.id}: ${s.reason}`)).toEqual([]);
    expect(isConverged(plan)).toBe(true);
    if (process.env.RECORD_PROBE === '1') writeFileSync(RECORDING, probe.stdout);
  });
});
