/**
 * The output layer end to end, on a real Debian host over real SSH with the BUILT CLI:
 *  1. A hostile /etc/os-release (PRETTY_NAME holding an OSC 52 clipboard write and ESC[2J) reaches
 *     the operator printable in `facts`, `plan` and `doctor` (plain and --verbose), and exactly as
 *     data in `--json` (escaped by JSON).
 *  2. `-K` with a 1-character and a 2-character sudo password (deploypw's, set on the host): `up`
 *     really runs through sudo with it, and the password appears in no output stream of any mode.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Facts } from '../../src/facts/types.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type TestHost } from '../harness/hosts.js';
import { CLI, runProgram, type RunResult } from '../harness/run.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const PRETTY = 'Debian \u001b]52;c;SGVsbG8gd29ybGQ=\u0007\u001b[2Jclobbered \u202eevil\u202c';

let fleet: Fleet;
let h: TestHost;
let home: string;

async function dockhand(args: string[], stdin = ''): Promise<RunResult & { seconds: number }> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CI: 'true' };
  const r = await runProgram(process.execPath, [CLI, ...args, '--identity-file', fleet.clientKeyPath, '--known-hosts', fleet.knownHostsFile], env, stdin);
  return { ...r, seconds: r.wallMs / 1000 };
}

async function setPassword(password: string): Promise<void> {
  await h.sh(`printf 'deploypw:%s\\n' '${password}' | chpasswd`);
}

describeHosts('writers: host text printable, become passwords of any length never printed', () => {
  beforeAll(async () => {
    fleet = await bootHosts([{ name: 'deb12', suite: 'bookworm' }]);
    h = fleet.host('deb12');
    home = mkdtempSync(join(tmpdir(), 'dockhand-writers-home-'));
    // A regular file in place of the symlink to /usr/lib/os-release, with the hostile PRETTY_NAME.
    await h.sh(
      `grep -v '^PRETTY_NAME=' /usr/lib/os-release > /tmp/os-release && printf 'PRETTY_NAME="%s"\\n' "$(printf '${PRETTY.replace(/\u001b/g, '\\033').replace(/\u0007/g, '\\007')}')" >> /tmp/os-release && rm /etc/os-release && mv /tmp/os-release /etc/os-release`,
    );
  });
  afterAll(async () => {
    await fleet?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('the hostile PRETTY_NAME is on the host, printable in every text mode, exact in --json', async () => {
    // Premise: the host really says it (read back as root inside the host).
    expect((await h.sh('. /etc/os-release; printf %s "$PRETTY_NAME"')).toString()).toBe(PRETTY);
    const target = `deploy@${h.address}`;
    for (const args of [['facts'], ['facts', '--verbose'], ['plan', '--source', 'distro', '--verbose'], ['doctor', '--verbose']]) {
      const r = await dockhand([...args, '-H', target]);
      const all = r.stdout + r.stderr;
      expect(all, args.join(' ')).not.toMatch(CONTROL);
      // facts prints PRETTY_NAME (plan labels the host by id and version; doctor by its checks).
      if (args[0] === 'facts') expect(all, args.join(' ')).toContain('clobbered');
    }
    const json = await dockhand(['facts', '--json', '-H', target]);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout + json.stderr).not.toMatch(CONTROL);
    const facts = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; data?: Facts }).find((e) => e.event === 'host')!.data!;
    expect(facts.os.prettyName).toBe(PRETTY);
  }, 300_000);

  it('-K with a 1-character sudo password: up runs through sudo, the password is in no output', async () => {
    const password = 'ж';
    await setPassword(password);
    // Premise: sudo asks, and takes exactly that password.
    expect((await h.ssh('deploypw', 'sudo -n true')).code).not.toBe(0);
    expect((await h.ssh('deploypw', "sudo -S -p '' id -u", { input: `${password}\n` })).stdout.trim()).toBe('0');
    const target = `deploypw@${h.address}`;
    const up = await dockhand(['up', '--source', 'distro', '-H', target, '-K', '--verbose'], `${password}\n`);
    process.stderr.write(`[writers] up -K (1-character password) in ${up.seconds.toFixed(1)} s\n`);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain('(sudo)');
    expect(up.stdout + up.stderr).not.toContain(password);
    expect(up.stdout + up.stderr).not.toMatch(CONTROL);
    expect(await h.sh("dpkg-query -W -f='${Status}' docker.io")).toBe('install ok installed');
    for (const args of [['facts'], ['facts', '--json'], ['plan', '--source', 'distro', '--json', '--verbose'], ['doctor'], ['doctor', '--json']]) {
      const r = await dockhand([...args, '-H', target, '-K'], `${password}\n`);
      expect(r.stdout + r.stderr, args.join(' ')).not.toContain(password);
    }
  }, 900_000);

  it('-K with a 2-character sudo password: no mode prints it, nor a wrong one', async () => {
    const password = 'ж§';
    await setPassword(password);
    const target = `deploypw@${h.address}`;
    for (const args of [['up', '--source', 'distro', '--verbose'], ['up', '--source', 'distro', '--json'], ['doctor', '--verbose'], ['doctor', '--json']]) {
      const r = await dockhand([...args, '-H', target, '-K'], `${password}\n`);
      expect(r.stdout + r.stderr, args.join(' ')).not.toContain(password);
      expect(r.stdout + r.stderr, args.join(' ')).not.toMatch(CONTROL);
      if (args[0] === 'up') expect(r.code, r.stderr).toBe(0);
    }
    const wrong = '§ж';
    const bad = await dockhand(['up', '--source', 'distro', '-H', target, '-K', '--verbose'], `${wrong}\n`);
    expect(bad.stdout + bad.stderr).not.toContain(wrong);
  }, 900_000);
});
