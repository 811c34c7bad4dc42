/**
 * The Foundation proofs, end to end: the BUILT CLI (`node dist/src/cli.js …`, as a user runs it)
 * against real systemd Debian hosts over real SSH, each answer compared with what the host itself
 * says through the harness (nsenter as root, or the OpenSSH client as the user) — not with literals.
 *
 *  1. `facts` over SSH: OS, init, package manager, sudo state, groups and arch per user and suite.
 *  2. `facts` on this machine (no -H): init is not systemd here, as /proc/1/comm says.
 *  3. Host keys: strict refuses unknown (exit 4, fingerprint shown) and changed keys; accept-new
 *     records an unknown key and still refuses a changed one.
 *  4. `-K`: the sudo password piped on stdin reaches sudo, and never the output, nor any process's
 *     argv or environment on the host or on this machine; a wrong one fails clearly (exit 2).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Facts } from '../../src/facts/types.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type Suite, type TestHost, type TestUserName } from '../harness/hosts.js';
import { runOk, sleep } from '../harness/hosts/proc.js';

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
const SUITES: Array<{ name: string; suite: Suite }> = [
  { name: 'deb11', suite: 'bullseye' },
  { name: 'deb12', suite: 'bookworm' },
  { name: 'deb13', suite: 'trixie' },
];
const USERS: TestUserName[] = ['deploy', 'deploypw', 'plain'];

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

let fleet: Fleet;
/** An empty HOME: no default keys, no ~/.ssh/config, no known_hosts — everything comes from flags. */
let home: string;
let scratch: string;

/** Run the built CLI as a user would; `stdin` is piped (the -K prompt reads a line from a pipe). */
function dockhand(args: string[], opts: { stdin?: string; whileRunning?: () => void } = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CI: 'true' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
  });
}

const keyArgs = () => ['--identity-file', fleet.clientKeyPath];
const target = (h: TestHost, user: TestUserName) => `${user}@${h.address}`;

/** The host's own answer to a shell question, as root inside it (independent of sshd and dockhand). */
async function hostSays(h: TestHost, script: string): Promise<string> {
  return (await h.sh(script)).trim();
}

/** `--json` prints JSON lines (README: JSON output): each answered host's Facts is a `host` event's data. */
function factsOf(stdout: string): Facts[] {
  const events = stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; data?: Facts });
  expect(events.at(-1)?.event).toBe('summary');
  return events.filter((e) => e.event === 'host' && e.data).map((e) => e.data!);
}

/** `ssh-keygen -lf` of a public key line: OpenSSH's own fingerprint of it. */
async function opensshFingerprint(publicKeyLine: string): Promise<string> {
  const file = join(scratch, `key-${Math.random().toString(36).slice(2)}.pub`);
  writeFileSync(file, `${publicKeyLine.trim()}\n`);
  const out = await runOk('ssh-keygen', ['-lf', file]);
  return out.split(/\s+/)[1]!;
}

describeHosts('Foundation: the CLI against real Debian hosts', () => {
  beforeAll(async () => {
    const t0 = Date.now();
    fleet = await bootHosts(SUITES);
    home = mkdtempSync(join(tmpdir(), 'dockhand-found-home-'));
    scratch = mkdtempSync(join(tmpdir(), 'dockhand-found-'));
    process.stderr.write(`[foundation] booted ${SUITES.length} hosts in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  });
  afterAll(async () => {
    await fleet?.stop();
    for (const d of [home, scratch]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('facts over SSH match what every host and user really are', async () => {
    const targets = fleet.hosts.flatMap((h) => USERS.map((u) => target(h, u)));
    const res = await dockhand(['facts', ...targets.flatMap((t) => ['-H', t]), ...keyArgs(), '--known-hosts', fleet.knownHostsFile, '--json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    process.stderr.write(`[foundation] facts for ${targets.length} host/user pairs in ${res.seconds.toFixed(1)} s\n`);
    const all = factsOf(res.stdout);
    expect(all.map((f) => f.host).sort()).toEqual([...targets].sort());

    for (const h of fleet.hosts) {
      const osRelease = await hostSays(h, '. /etc/os-release; printf "%s|%s|%s" "$ID" "$VERSION_CODENAME" "$VERSION_ID"');
      const [id, codename, versionId] = osRelease.split('|');
      const pid1 = await hostSays(h, 'cat /proc/1/comm');
      const machine = await hostSays(h, 'uname -m');
      const dpkgArch = await hostSays(h, 'dpkg --print-architecture');
      const hasApt = (await h.exec('command -v apt-get')).code === 0;
      expect(pid1).toBe('systemd');
      expect(codename).toBe(h.suite);

      for (const user of USERS) {
        const f = all.find((x) => x.host === target(h, user))!;
        expect(f, `${user}@${h.name}`).toBeDefined();
        expect(f.os.id).toBe(id);
        expect(f.os.versionCodename).toBe(codename);
        expect(f.os.versionId).toBe(versionId);
        expect(f.init.system).toBe('systemd');
        expect(f.init.pid1).toBe(pid1);
        expect(f.packageManager).toBe(hasApt ? 'apt' : 'unknown');
        expect(f.arch.machine).toBe(machine);
        expect(f.arch.package).toBe(dpkgArch);

        // The user as the host sees them: the database (what a new login gets) and a real session.
        const uid = Number(await hostSays(h, `id -u ${user}`));
        const dbGroups = (await hostSays(h, `id -Gn ${user}`)).split(/\s+/).sort();
        const session = await h.ssh(user, 'id -Gn; sudo -n true </dev/null >/dev/null 2>&1; echo "sudo_n=$?"; command -v sudo >/dev/null && echo has_sudo');
        expect(session.code).toBe(0);
        const [sessionLine = ''] = session.stdout.split('\n');
        expect(f.user.name).toBe(user);
        expect(f.user.uid).toBe(uid);
        expect(f.privilege.uid).toBe(uid);
        expect(f.privilege.isRoot).toBe(false);
        expect([...f.user.databaseGroups].sort()).toEqual(dbGroups);
        expect([...f.user.sessionGroups].sort()).toEqual(sessionLine.trim().split(/\s+/).sort());
        expect(f.privilege.sudoInstalled).toBe(session.stdout.includes('has_sudo'));
        expect(f.privilege.sudoNoPassword).toBe(session.stdout.includes('sudo_n=0'));
        // And what the harness promises about these users (so the comparison above is not vacuous).
        expect(f.privilege.sudoNoPassword).toBe(h.users[user].sudo === 'nopasswd');
      }
    }
  }, 300_000);

  it('facts on this machine (no -H) report no systemd when PID 1 is not systemd', async () => {
    const res = await dockhand(['facts', '--json']);
    expect(res.code).toBe(0);
    const [local] = factsOf(res.stdout);
    const pid1 = readFileSync('/proc/1/comm', 'utf8').trim();
    expect(local!.host).toBe('local');
    expect(local!.init.pid1).toBe(pid1);
    expect(pid1).not.toBe('systemd'); // what this machine is (see TEAM-NOTES)
    expect(local!.init.system).not.toBe('systemd');
  });

  it('host keys: strict refuses unknown and changed keys; accept-new records an unknown key, still refuses a changed one', async () => {
    const h = fleet.host('deb12');
    const fp = await opensshFingerprint(h.hostPublicKey);
    const facts = (knownHosts: string, ...more: string[]) =>
      dockhand(['facts', '-H', target(h, 'deploy'), ...keyArgs(), '--known-hosts', knownHosts, ...more]);

    const empty = join(scratch, 'known_hosts.empty');
    writeFileSync(empty, '');
    const unknown = await facts(empty);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain(fp);
    expect(unknown.stderr).toMatch(/not known.*refusing to connect/);
    expect(unknown.stdout).toMatch(/unreachable/); // the summary row; no facts for a refused host
    expect(readFileSync(empty, 'utf8')).toBe('');

    // Another real key recorded for this address: what a reinstalled host (or an interceptor) looks like.
    const otherKey = join(scratch, 'other_host_key');
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
    const [otherType, otherBlob] = readFileSync(`${otherKey}.pub`, 'utf8').split(/\s+/);
    const changedText = `${h.address} ${otherType} ${otherBlob}\n`;
    const changedFile = join(scratch, 'known_hosts.changed');
    writeFileSync(changedFile, changedText);
    const changed = await facts(changedFile);
    expect(changed.code).toBe(4);
    expect(changed.stderr).toMatch(/HOST KEY CHANGED/);
    expect(changed.stderr).toContain(fp);

    // accept-new: the unknown key is recorded (exactly the host's key), then strict trusts it.
    const fresh = join(scratch, 'known_hosts.accept-new');
    writeFileSync(fresh, '');
    const accepted = await facts(fresh, '--host-key-policy', 'accept-new');
    expect(accepted.code).toBe(0);
    const [hostType, hostBlob] = h.hostPublicKey.split(/\s+/);
    expect(readFileSync(fresh, 'utf8')).toBe(`${h.address} ${hostType} ${hostBlob}\n`);
    expect((await facts(fresh)).code).toBe(0);

    // accept-new never overrides a changed key, and leaves the file alone.
    const stillChanged = await facts(changedFile, '--host-key-policy', 'accept-new');
    expect(stillChanged.code).toBe(4);
    expect(stillChanged.stderr).toMatch(/HOST KEY CHANGED/);
    expect(readFileSync(changedFile, 'utf8')).toBe(changedText);
  }, 120_000);

  it('-K: the sudo password reaches sudo through stdin only; a wrong one fails clearly', async () => {
    const h = fleet.host('deb12');
    const password = h.users.deploypw.password!;
    // Premise: this user's sudo really asks for a password.
    expect((await h.ssh('deploypw', 'sudo -n true')).code).not.toBe(0);
    const up = ['up', '--source', 'distro', '-H', target(h, 'deploypw'), ...keyArgs(), '--known-hosts', fleet.knownHostsFile, '-K', '--verbose'];

    // Wrong password first: on a converged host no sudo would run at all.
    const wrong = `Wr0ng${password.slice(0, 8)}`;
    const bad = await dockhand(up, { stdin: `${wrong}\n` });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/sudo rejected the become password/);
    expect(bad.stdout + bad.stderr).not.toContain(wrong);
    expect((await h.exec('dpkg-query -W docker.io')).code).not.toBe(0);

    const spy = watchProcesses(h, [password]);
    const good = await dockhand(up, { stdin: `${password}\n` });
    const seen = await spy.stop();
    process.stderr.write(
      `[foundation] up -K in ${good.seconds.toFixed(1)} s; process lists sampled ${seen.remoteSamples}× on the host ` +
        `(${seen.samplesWithSudo} while sudo ran), ${seen.localSamples}× here\n`,
    );
    expect(good.code, good.stderr).toBe(0);
    expect(good.stderr).toContain('(sudo)'); // --verbose echoed the commands that went through sudo
    expect(good.stdout + good.stderr).not.toContain(password);
    expect(seen.samplesWithSudo).toBeGreaterThan(0);
    expect(seen.leaks).toEqual([]);
    // Root really ran the plan, as deploypw through sudo.
    expect(await hostSays(h, "dpkg-query -W -f='${Status}' docker.io")).toBe('install ok installed');
    expect(await hostSays(h, 'journalctl --no-pager -q _COMM=sudo | grep -c "deploypw : .*USER=root" || true')).not.toBe('0');
  }, 900_000);

  it('a login session that takes over a minute to open (or close) does not lose the connection nor hold dockhand', async () => {
    const h = fleet.host('deb13');
    // sshd answers nothing, keepalives included, until PAM has opened the session (pam_systemd
    // waiting for logind on a loaded host looks exactly like this).
    const slowSeconds = 80;
    await h.sh(`sed -i '1i session optional pam_exec.so /bin/sleep ${slowSeconds}' /etc/pam.d/sshd`);
    try {
      const res = await dockhand(['facts', '-H', target(h, 'deploy'), ...keyArgs(), '--known-hosts', fleet.knownHostsFile, '--json']);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(res.seconds).toBeGreaterThanOrEqual(slowSeconds);
      // sshd runs the session modules again when the session closes: dockhand does not wait for that.
      expect(res.seconds).toBeLessThan(slowSeconds + 30);
      expect(factsOf(res.stdout)[0]!.user.name).toBe('deploy');
    } finally {
      await h.sh(`sed -i '/pam_exec.so \\/bin\\/sleep/d' /etc/pam.d/sshd`);
    }
  }, 300_000);
});

interface ProcessWatch {
  remoteSamples: number;
  samplesWithSudo: number;
  localSamples: number;
  /** Where a secret was seen: `host pid N cmdline`, `local pid N environ`, … */
  leaks: string[];
}

/**
 * Sample every process's argv and environment, on the host (as root, through the harness, with a
 * script that holds no secret) and on this machine, until stop(); record any sighting of a secret.
 */
function watchProcesses(h: TestHost, secrets: string[]): { stop(): Promise<ProcessWatch> } {
  const result: ProcessWatch = { remoteSamples: 0, samplesWithSudo: 0, localSamples: 0, leaks: [] };
  let running = true;
  const sawSecret = (where: string, text: string) => {
    if (secrets.some((s) => text.includes(s))) result.leaks.push(where);
  };
  const dump =
    'for p in /proc/[0-9]*; do printf "@@pid %s\\n" "${p#/proc/}"; tr "\\000" " " < $p/cmdline 2>/dev/null; ' +
    'printf "\\n@@environ\\n"; tr "\\000" "\\n" < $p/environ 2>/dev/null; done';
  const remote = (async () => {
    while (running) {
      const res = await h.exec(dump);
      result.remoteSamples++;
      // dockhand runs sudo by its absolute path (never whichever `sudo` is first on PATH).
      if (/@@pid \d+\n(?:\/usr\/bin\/|\/bin\/|\/usr\/local\/bin\/)sudo -S -p /.test(res.stdout)) result.samplesWithSudo++;
      for (const block of res.stdout.split('@@pid ').slice(1)) sawSecret(`host pid ${block.split('\n')[0]}`, block);
    }
  })();
  const local = (async () => {
    while (running) {
      for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        for (const file of ['cmdline', 'environ']) {
          try {
            sawSecret(`local pid ${pid} ${file}`, readFileSync(`/proc/${pid}/${file}`, 'latin1'));
          } catch {
            // The process ended meanwhile.
          }
        }
      }
      result.localSamples++;
      await sleep(50);
    }
  })();
  return {
    async stop() {
      running = false;
      await Promise.all([remote, local]);
      return result;
    },
  };
}
