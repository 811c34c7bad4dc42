/**
 * Docker repository leftovers on a REAL Debian host (issue 9): a legacy one-line docker.list beside
 * the deb822 docker.sources, the same repository with different Signed-By — apt refuses every
 * command ("Conflicting values set for option Signed-By"). The doctor over real SSH names the
 * legacy file and the conflict; its --fix moves the legacy file aside and `apt-get update` works.
 *
 * The repository's address is an unused one of the harness network (no DNS, nothing answers, the
 * connection is refused at once): apt-get update then only warns that it could not fetch, so the
 * conflict is what breaks apt, and what the fix has to remove.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type TestHost } from '../harness/hosts.js';
import { runDoctor } from '../../src/doctor/run.js';
import { sshRun } from '../fixtures/doctor/runs.js';

interface JsonFinding { id: string; status: string; summary: string; evidence: string[]; fix?: { class: string; commands: string[] } }
interface JsonReport { error?: string; findings: JsonFinding[]; applied?: string[] }

const REPO = 'http://198.19.255.254/linux/debian';
const SOURCES = `Types: deb\nURIs: ${REPO}\nSuites: bookworm\nComponents: stable\nSigned-By: /etc/apt/keyrings/docker.asc\n`;
const LEGACY = `deb [signed-by=/usr/share/keyrings/docker-archive-keyring.gpg] ${REPO} bookworm stable\n`;

describeHosts('doctor on Docker apt repository leftovers (real Debian host)', () => {
  let fleet: Fleet;
  let h: TestHost;

  beforeAll(async () => {
    fleet = await bootHosts([{ name: 'aptleft', suite: 'bookworm' }], { image: 'base' });
    h = fleet.host('aptleft');
  }, 300_000);
  afterAll(() => fleet?.stop());

  async function doctor(fix: boolean) {
    let out = '';
    const code = await runDoctor({ ...sshRun(h, ['root'], (t) => (out += t)), fix, yes: true });
    const report = (JSON.parse(out) as JsonReport[])[0]!;
    expect(report.error).toBeUndefined();
    return { code, report, find: (id: string) => report.findings.find((f) => f.id === id)! };
  }

  it('names the legacy docker.list and the conflict; --fix makes apt-get update succeed', async () => {
    await h.sh(
      `printf '%s' '${SOURCES}' > /etc/apt/sources.list.d/docker.sources && printf '%s' '${LEGACY}' > /etc/apt/sources.list.d/docker.list`,
    );
    // The precondition: apt refuses its sources.
    const broken = await h.exec('apt-get update 2>&1');
    expect(broken.code, broken.stdout).not.toBe(0);
    expect(broken.stdout).toMatch(/Conflicting values set for option Signed-By/);

    const before = await doctor(false);
    const f = before.find('install.apt-sources');
    expect(f.status).toBe('fail');
    expect(f.summary).toContain('declared twice with different keys');
    const evidence = f.evidence.join('\n');
    expect(evidence).toContain('/etc/apt/sources.list.d/docker.list');
    expect(evidence).toMatch(/apt: E: Conflicting values set for option Signed-By/);
    expect(f.fix?.class).toBe('safe');

    const fixed = await doctor(true);
    expect(fixed.report.applied?.join('\n')).toMatch(/✓ install\.apt-sources: apt-get update/);
    expect(fixed.find('install.apt-sources').status).toBe('pass');
    expect((await h.sh('ls /etc/apt/sources.list.d')).split('\n')).toEqual(expect.arrayContaining(['docker.sources', 'docker.list.dockhand-disabled']));
    const update = await h.exec('apt-get update 2>&1');
    expect(update.code, update.stdout).toBe(0);
    expect(update.stdout).not.toMatch(/Conflicting values/);
  }, 600_000);
});
