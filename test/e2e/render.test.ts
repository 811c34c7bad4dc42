/**
 * `dockhand render` for real: the rendered script copied to fresh Debian 11, 12 and 13 hosts and run
 * with plain `ssh … sudo sh` (no dockhand, no node on the host), against a signed Docker-like apt
 * mirror served from this machine (test/harness/docker-repo.ts; the script verifies its key's
 * fingerprint like `up` does).
 *
 * Shown: Docker answers the added user from a fresh login with overlay2; `dockhand plan` then reports
 * zero changes; a second run changes nothing and keeps dockerd's PID; on a host converged by `up` the
 * script changes nothing; dash (Debian's sh), busybox sh and bash run it; an existing daemon.json keeps
 * its other keys; the SSM document's embedded script run the way the agent runs it (its own working
 * directory, SSM_* variables) converges a host and refuses a hostile parameter before changing anything.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { shQuote } from '../../src/shell/quote.js';
import { homeWithKey, runCli } from '../harness/cli.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type Suite, type TestHost } from '../harness/hosts.js';
import { dockerLikeMirror, type DockerLikeMirror } from './render-mirror.js';

const VERSIONS: Record<Suite, string> = { bullseye: '11', bookworm: '12', trixie: '13' };
/** One fresh host per release, each run under another shell; plus hosts for `up` first and for SSM. */
const HOSTS: Array<{ name: string; suite: Suite; shell: string }> = [
  { name: 'deb11', suite: 'bullseye', shell: 'sh' },
  { name: 'deb12', suite: 'bookworm', shell: 'busybox sh' },
  { name: 'deb13', suite: 'trixie', shell: 'bash' },
];

describeHosts('dockhand render: the script on real hosts, without dockhand', () => {
  let fleet: Fleet;
  let home: string;
  let mirror: DockerLikeMirror;
  const dockhand = (args: string[]) => runCli(fleet, home, args);
  const target = (h: TestHost) => `deploy@${h.address}`;
  const repoArgs = () => mirror.args();

  /** Renders `format` for the host's release to a file and returns its text. */
  async function render(h: TestHost, format: string): Promise<string> {
    const out = join(mirror.dir, `${h.name}.${format}`);
    const r = await dockhand(['render', '--format', format, '--os', 'debian', '--os-version', VERSIONS[h.suite], ...repoArgs(), '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    return readFileSync(out, 'utf8');
  }

  /** Copies the script over SSH (as the sudoer) and runs it with `sudo <shell>`. */
  async function runScript(h: TestHost, script: string, shell = 'sh', args = '') {
    const copy = await h.ssh('deploy', 'cat > /tmp/converge.sh', { input: script });
    expect(copy.code, copy.stderr).toBe(0);
    return h.ssh('deploy', `sudo ${shell} /tmp/converge.sh ${args}`, { timeoutMs: 600_000 });
  }

  const dockerdPid = async (h: TestHost) => (await h.sh('systemctl show -p MainPID --value docker')).trim();

  async function planIsConverged(h: TestHost) {
    const plan = await dockhand(['plan', target(h), '--source', 'docker', ...repoArgs()]);
    expect(plan.code, `${plan.stdout}\n${plan.stderr}`).toBe(0);
    expect(plan.stdout, plan.stdout).toContain('converged: nothing to do');
  }

  async function dockerAnswersPlain(h: TestHost) {
    // A fresh SSH login: the group comes from the group database, as for the user's next session.
    const login = await h.ssh('plain', `docker info --format '{{.Driver}}'`);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout.trim()).toBe('overlay2');
  }

  beforeAll(async () => {
    fleet = await bootHosts([...HOSTS.map(({ name, suite }) => ({ name, suite })), { name: 'up12', suite: 'bookworm' }, { name: 'ssm13', suite: 'trixie' }]);
    home = homeWithKey(fleet);
    mirror = await dockerLikeMirror(fleet, HOSTS.map(({ name }) => fleet.host(name)));
  });
  afterAll(async () => {
    await mirror?.close();
    await fleet?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  describe.each(HOSTS)('$suite under $shell', ({ name, shell }) => {
    it('converges a fresh host; plan agrees; a second run changes nothing and keeps dockerd', async () => {
      const h = fleet.host(name);
      if (shell === 'busybox sh') {
        await h.sh('apt-get install -y -qq busybox >/dev/null', { timeoutMs: 300_000 });
        // An admin's daemon.json with keys of its own: they must survive.
        await h.sh(`mkdir -p /etc/docker && printf '%s\\n' '{ "log-driver": "local",' '  "log-opts": {"max-size": "10m"}, "debug": false }' > /etc/docker/daemon.json`);
      }
      const script = await render(h, 'script');
      const dry = await runScript(h, script, shell, '--dry-run');
      expect(dry.code, `${dry.stdout}\n${dry.stderr}`).toBe(10);
      expect(await h.exec('test -e /etc/apt/sources.list.d/docker.sources')).toMatchObject({ code: 1 });

      const first = await runScript(h, script, shell);
      expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(0);
      expect(first.stdout).toContain('root-equivalent');
      expect(first.stdout).toMatch(/dockhand: done: \d+ change\(s\) made and verified/);
      await dockerAnswersPlain(h);
      if (shell === 'busybox sh') {
        const json = JSON.parse(await h.sh('cat /etc/docker/daemon.json'));
        expect(json).toMatchObject({ 'log-driver': 'local', 'log-opts': { 'max-size': '10m' }, debug: false, 'storage-driver': 'overlay2' });
      }
      await planIsConverged(h);

      const pid = await dockerdPid(h);
      const again = await runScript(h, script, shell);
      expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
      expect(again.stdout).toContain('dockhand: converged: nothing changed');
      expect(again.stdout).not.toContain('dockhand: change:');
      expect(await dockerdPid(h)).toBe(pid);
      const check = await runScript(h, script, shell, '--check');
      expect(check.code, `${check.stdout}\n${check.stderr}`).toBe(0);
    });
  });

  it('on a host converged by `dockhand up` the script changes nothing and keeps dockerd', async () => {
    const h = fleet.host('up12');
    const up = await dockhand(['up', target(h), '--source', 'docker', ...repoArgs()]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const pid = await dockerdPid(h);
    const run = await runScript(h, await render(h, 'script'));
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('dockhand: converged: nothing changed');
    expect(await dockerdPid(h)).toBe(pid);
  });

  it('refuses another release, saying what it found, and changes nothing', async () => {
    const h = fleet.host('up12');
    const r = await dockhand(['render', '--os', 'debian', '--os-version', '13', ...repoArgs()]);
    expect(r.code).toBe(0);
    const run = await runScript(h, r.stdout);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('this script is for Debian 13 (trixie), x86_64; this host is ID=debian VERSION_ID=12');
  });

  it('the SSM document, run as the agent runs it: a hostile parameter is refused; then it converges', async () => {
    const h = fleet.host('ssm13');
    const doc = parse(await render(h, 'ssm'));
    const step = doc.mainSteps[0];
    expect(step.action).toBe('aws:runShellScript');
    // The agent writes runCommand to _script.sh in the command's orchestration directory and runs it
    // there with sh, the parameters in SSM_<name> variables (interpolationType ENV_VAR).
    const dir = '/var/lib/amazon/ssm/i-0123456789abcdef0/document/orchestration/4b5e6f70-e2e0-4d1c-9a8b-000000000001/dockhandConverge';
    await h.sh(`mkdir -p ${dir} && cat > ${dir}/_script.sh`, { input: `${step.inputs.runCommand.join('\n')}\n` });
    const agent = (users: string) => h.exec(`cd ${dir} && env SSM_users=${shQuote(users)} SSM_dockerVersion='' sh _script.sh`, { timeoutMs: 600_000 });

    for (const hostile of ['plain;touch /tmp/pwned', '$(touch /tmp/pwned)', 'plain`touch /tmp/pwned`']) {
      const bad = await agent(hostile);
      expect(bad.code).toBe(64);
      expect(await h.exec('test -e /tmp/pwned')).toMatchObject({ code: 1 });
      expect(new RegExp(doc.parameters.users.allowedPattern).test(hostile)).toBe(false);
    }
    expect(await h.exec('test -e /etc/apt/keyrings/docker.asc')).toMatchObject({ code: 1 });

    const good = await agent('deploy');
    expect(good.code, `${good.stdout}\n${good.stderr}`).toBe(0);
    await dockerAnswersPlain(h);
    expect(await h.sh('id -Gn deploy')).toMatch(/\bdocker\b/);
    expect((await h.sh('ls -A ' + dir)).split('\n').some((f) => f.startsWith('dockhand-converge-'))).toBe(true);
    await planIsConverged(h);
  });

  it('the cloud-init user-data passes the real `cloud-init schema` (Debian\'s cloud-init package), plain and as a MIME part', async () => {
    const h = fleet.host('up12');
    await h.sh('apt-get install -y -qq --no-install-recommends cloud-init >/dev/null', { timeoutMs: 300_000 });
    const plain = await render(h, 'cloud-init');
    expect(plain.startsWith('#cloud-config\n')).toBe(true);
    await h.sh('cat > /tmp/user-data', { input: plain });
    const schema = await h.exec('cloud-init schema --config-file /tmp/user-data');
    expect(schema.code, `${schema.stdout}\n${schema.stderr}`).toBe(0);
    expect(schema.stdout).toMatch(/Valid cloud-config/);

    // MIME: the user's own cloud-config beside ours; each cloud-config part is valid on its own.
    const own = join(mirror.dir, 'own.yaml');
    writeFileSync(own, '#cloud-config\npackages: [htop]\nruncmd:\n  - [touch, /run/own-ran]\n');
    const out = join(mirror.dir, 'mime');
    const r = await dockhand(['render', '--format', 'cloud-init', '--os', 'debian', '--os-version', '12', ...repoArgs(), '--with', own, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const mime = readFileSync(out, 'utf8');
    const boundary = /boundary="([^"]+)"/.exec(mime)![1]!;
    const parts = mime.split(`--${boundary}`).slice(1, -1).map((p) => p.slice(p.indexOf('\n\n') + 2));
    expect(parts).toHaveLength(2);
    for (const [i, part] of parts.entries()) {
      await h.sh(`cat > /tmp/part-${i}`, { input: part });
      const res = await h.exec(`cloud-init schema --config-file /tmp/part-${i}`);
      expect(res.code, `${part.slice(0, 200)}\n${res.stdout}\n${res.stderr}`).toBe(0);
    }
    // cloud-init itself reads the multi-part file (its own MIME parser, as at boot).
    await h.sh('cat > /tmp/mime', { input: mime });
    const py = await h.exec(`python3 -c "import email,sys; m=email.message_from_file(open('/tmp/mime')); print(' '.join(p.get_content_type() for p in m.walk()))"`);
    expect(py.stdout.trim()).toBe('multipart/mixed text/cloud-config text/cloud-config');
  });
});
