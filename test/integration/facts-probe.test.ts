/**
 * Runs the real probe on this machine (read-only) under every POSIX shell available here, as the
 * current user and as an unprivileged one, and checks the parsed facts against what the machine
 * says through independent means (node's os/fs APIs, the tools themselves).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, renameSync, rmSync, statfsSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { gatherFacts } from '../../src/facts/gather.js';
import { factsProbeScript } from '../../src/facts/probe.js';
import { DPKG_INFO, parseToolVersion } from '../../src/facts/areas/docker.js';
import { shQuote } from '../../src/shell/quote.js';
import type { ExecOptions, ExecResult, Transport } from '../../src/transport/types.js';
import { CLI, runProgram } from '../harness/run.js';

/** A minimal local transport for tests: `<shell> -c <script>`, optionally behind a privilege drop. */
function localTransport(shellArgv: string[], name = 'local'): Transport & { calls: Array<{ script: string; opts?: ExecOptions }> } {
  const calls: Array<{ script: string; opts?: ExecOptions }> = [];
  return {
    name,
    kind: 'local',
    calls,
    exec(script: string, opts?: ExecOptions): Promise<ExecResult> {
      calls.push({ script, opts });
      return new Promise((resolve, reject) => {
        const [cmd, ...args] = shellArgv;
        const child = spawn(cmd!, [...args, '-c', script], { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('error', reject);
        child.on('close', (code, signal) => resolve({ code, stdout, stderr, signal: signal ?? undefined }));
      });
    },
    writeFile: () => Promise.reject(new Error('not used')),
    reconnect: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

const which = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
const shells = ['dash', 'bash', 'busybox']
  .map((s) => ({ name: s, path: which(s) }))
  .filter((s) => s.path !== '')
  .map((s) => ({ name: s.name, argv: s.name === 'busybox' ? [s.path, 'sh'] : [s.path] }));

const ARCH_NAMES: Record<string, string[]> = { x64: ['x86_64'], arm64: ['aarch64', 'arm64'], arm: ['armv7l', 'armv6l'], ia32: ['i686', 'i386'] };

function sourcedOsRelease(): { id: string; codename: string } {
  // The shell itself is the reference parser for a file meant to be sourced.
  const out = execFileSync('sh', ['-c', '. /etc/os-release 2>/dev/null || . /usr/lib/os-release; printf "%s\\n%s\\n" "$ID" "$VERSION_CODENAME"'], { encoding: 'utf8' });
  const [id = '', codename = ''] = out.split('\n');
  return { id, codename };
}

function getentDocker(): { gid: number; members: string[] } | undefined {
  const r = spawnSync('getent', ['group', 'docker'], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const [, , gid, members = ''] = r.stdout.trim().split(':');
  return { gid: Number(gid), members: members.split(',').filter(Boolean) };
}

describe.each(shells)('the probe under $name on this machine', ({ argv }) => {
  it('matches what the machine says through independent means', async () => {
    const transport = localTransport(argv);
    const facts = await gatherFacts(transport);

    // One round trip, never with sudo.
    expect(transport.calls).toHaveLength(1);
    expect(transport.calls[0]!.opts?.sudo).toBeFalsy();
    expect(transport.calls[0]!.script).toBe(factsProbeScript());

    const osr = sourcedOsRelease();
    expect(facts.os.id).toBe(osr.id);
    expect(facts.os.versionCodename ?? '').toBe(osr.codename);

    expect(ARCH_NAMES[process.arch] ?? [process.arch]).toContain(facts.arch.machine);
    expect(facts.kernel.release).toBe(os.release());

    const pid1 = readFileSync('/proc/1/comm', 'utf8').trim();
    expect(facts.init.pid1).toBe(pid1);
    const systemdBooted = existsSync('/run/systemd/system');
    expect(facts.init.system === 'systemd').toBe(systemdBooted || pid1 === 'systemd');
    expect(facts.init.hasServiceCommand).toBe(which('service') !== '' || which('rc-service') !== '');

    if (which('apt-get') && which('dpkg')) {
      expect(facts.packageManager).toBe('apt');
      expect(facts.arch.package).toBe(execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim());
      // Installed versions agree with dpkg-query asked directly.
      for (const name of ['docker.io', 'containerd', 'runc', 'docker-ce']) {
        const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}\t${db:Status-Abbrev}', name], { encoding: 'utf8' });
        const [version, status = ''] = r.stdout.split('\t');
        const installed = r.status === 0 && status[1] === 'i' && status[2] !== 'R' && !!version;
        expect(facts.packages[name], name).toBe(installed ? version : undefined);
      }
      expect(facts.aptSources).toBeDefined();
    }

    const uid = process.getuid!();
    expect(facts.privilege.uid).toBe(uid);
    expect(facts.privilege.isRoot).toBe(uid === 0);
    expect(facts.privilege.sudoInstalled).toBe(which('sudo') !== '');
    expect(facts.user.name).toBe(os.userInfo().username);
    expect(facts.user.gid).toBe(process.getgid!());
    expect(facts.user.sessionGids.sort()).toEqual(
      execFileSync('id', ['-G'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number).sort(),
    );

    const docker = getentDocker();
    expect(facts.dockerGroup.exists).toBe(docker !== undefined);
    if (docker) expect(facts.dockerGroup).toEqual({ exists: true, gid: docker.gid, members: docker.members });

    const sockExists = existsSync('/var/run/docker.sock');
    expect(facts.socket.exists).toBe(sockExists);
    if (sockExists) {
      const st = lstatSync('/var/run/docker.sock');
      expect(facts.socket).toMatchObject({ uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 });
    }

    const daemonJson = '/etc/docker/daemon.json';
    expect(facts.daemonJson.exists).toBe(existsSync(daemonJson));
    if (existsSync(daemonJson)) expect(facts.daemonJson.content).toBe(readFileSync(daemonJson, 'utf8'));

    expect(facts.dockerRoot.exists).toBe(existsSync(facts.dockerRoot.path));
    let dir = facts.dockerRoot.path;
    while (!existsSync(dir)) dir = dir.slice(0, dir.lastIndexOf('/')) || '/';
    const fs = statfsSync(dir);
    const freePercent = (fs.bavail / (fs.blocks - fs.bfree + fs.bavail)) * 100;
    expect(Math.abs(facts.dockerRoot.diskFreePercent! - freePercent)).toBeLessThan(2);

    expect(facts.overlay.supported).toBe(/\boverlay$/m.test(readFileSync('/proc/filesystems', 'utf8')));

    // Only a dockerd in our own mount namespace counts: test hosts' daemons are visible in /proc too.
    const ownNs = readlinkSync('/proc/self/ns/mnt');
    const pids = (spawnSync('pidof', ['dockerd']).stdout?.toString() ?? '').split(/\s+/).filter(Boolean);
    const dockerdRunning = pids.some((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/mnt`) === ownNs;
      } catch {
        return false;
      }
    });
    expect(facts.dockerd !== undefined).toBe(dockerdRunning);
    if (which('dockerd')) {
      expect(facts.binaries.dockerd).toBe(which('dockerd'));
      expect(facts.versions.engine).toMatch(/^\d+\.\d+/);
    }
    expect(facts.cloudInit.present).toBe(which('cloud-init') !== '');
  });
});

describe.each(shells)('accounts asked about, under $name', ({ argv }) => {
  it('are looked up by the same probe: one round trip, each name answered yes or no, asked once', async () => {
    const transport = localTransport(argv);
    const me = os.userInfo().username;
    const facts = await gatherFacts(transport, { accounts: [me, 'dh-no-such-user', me] });
    expect(transport.calls).toHaveLength(1);
    expect(transport.calls[0]!.opts?.sudo).toBeFalsy();
    expect(facts.accounts).toEqual({ [me]: true, 'dh-no-such-user': false });
    // The names reach the shell as its quoted arguments, never as code.
    expect(transport.calls[0]!.script).toContain(`set -- ${me} dh-no-such-user\n`);
  });

  it('a name that is not an account name never reaches the host', async () => {
    const transport = localTransport(argv);
    await expect(gatherFacts(transport, { accounts: ['ok', '$(touch /tmp/x)'] })).rejects.toThrow(/is not a valid user name/);
    expect(transport.calls).toHaveLength(0);
  });
});

// `plan` and `up` gather facts once per host, the users of --users included (issue 13: one probe).
describe.runIf(process.platform === 'linux')('plan --users on this machine', () => {
  it('looks the users up within the one facts probe and refuses the missing one', async () => {
    const me = os.userInfo().username;
    const r = await runProgram(process.execPath, [CLI, 'plan', '--verbose', '--source', 'distro', '--users', `${me},dh-no-such-user`], {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: os.tmpdir(),
      CI: 'true',
    });
    expect(r.stderr).toMatch(/user dh-no-such-user does not exist on the host/);
    expect(r.code, r.stderr).toBe(2);
    // --verbose echoes every command before it runs: the facts probe is the only one.
    const commands = r.stderr.split('\n').filter((l) => /^(\d\d:\d\d:\d\d )?\[local\] \$ /.test(l));
    expect(commands).toHaveLength(1);
    expect(commands[0]).toContain('# shellcheck shell=sh'); // the probe's first line (it echoes whole)
    expect(r.stderr).toContain(`set -- ${me} dh-no-such-user\n`);
  });
});

const dropTo65534 = which('setpriv') ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : undefined;

describe.runIf(process.getuid?.() === 0 && dropTo65534)('the probe without root', () => {
  it('copes as uid 65534 with no groups: facts it cannot see are unknown, not wrong', async () => {
    const facts = await gatherFacts(localTransport([...dropTo65534!, which('dash') || 'sh'], 'unprivileged'));
    expect(facts.privilege).toMatchObject({ uid: 65534, isRoot: false });
    // nobody has no sudo rights (and -n never prompts).
    expect(facts.privilege.sudoNoPassword).toBe(false);
    expect(facts.user.uid).toBe(65534);
    expect(facts.user.sessionGids).toEqual([65534]);
    expect(facts.os.id).toBe(sourcedOsRelease().id);
    expect(facts.dockerGroup.exists).toBe(getentDocker() !== undefined);
    expect(facts.packageManager).not.toBe('unknown');
    if (existsSync('/var/lib/docker')) {
      // The Docker root is root-only: counts are unknown rather than zero.
      expect(facts.dockerRoot.imageCount).toBeUndefined();
    }
  });
});

describe('probe script', () => {
  it('parses under `sh -n` in every available shell', () => {
    for (const s of shells) {
      const r = spawnSync(s.argv[0]!, [...s.argv.slice(1), '-n', '-c', factsProbeScript()], { encoding: 'utf8' });
      expect(r.status, `${s.name}: ${r.stderr}`).toBe(0);
    }
  });
});

// Issue 15: each `--version` starts a large Go binary (dockerd's alone 0.1–0.2 s); a binary dpkg
// installed and nobody changed since is reported with its package's version instead. A stand-in
// `dockerd` (a script that answers 99.8.7) is listed in a stand-in dpkg file list named after a
// package dpkg really has installed here, so the two possible answers differ.
const installed = (pkg: string) => {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}\t${db:Status-Abbrev}', pkg], { encoding: 'utf8' });
  const [version = '', status = ''] = r.stdout.split('\t');
  return r.status === 0 && status.startsWith('ii') ? version : undefined;
};
const dpkgPackage = which('dpkg-query') ? ['docker.io', 'containerd', 'docker-ce'].find((p) => installed(p)) : undefined;

describe.runIf(dpkgPackage)('versions of binaries dpkg installed', () => {
  const shell = shells[0]!.argv;
  async function engineWith(setup: (dir: string, list: string, bin: string) => void): Promise<{ engine?: string; ran: boolean }> {
    const dir = mkdtempSync(join(os.tmpdir(), 'dh-dpkg-'));
    try {
      const bin = join(dir, 'bin', 'dockerd');
      mkdirSync(join(dir, 'bin'));
      mkdirSync(join(dir, 'info'));
      writeFileSync(bin, `#!/bin/sh\n: > '${dir}/ran'\necho 'Docker version 99.8.7, build x'\n`, { mode: 0o755 });
      const list = join(dir, 'info', `${dpkgPackage}.list`);
      writeFileSync(list, `/.\n/usr\n${bin}\n`);
      // As dpkg leaves it: the file's own (older) time from the package, the list written at unpack.
      utimesSync(bin, new Date(2020, 0, 1), new Date(2020, 0, 1));
      setup(dir, list, bin);
      const script = factsProbeScript()
        .replace(`DH_DPKG_INFO=${shQuote(DPKG_INFO)}\n`, `DH_DPKG_INFO=${shQuote(`${dir}/info`)}\n`)
        .replace('LC_ALL=C; export LC_ALL', `LC_ALL=C; export LC_ALL; PATH='${dir}/bin':$PATH`);
      expect(script).toContain(`DH_DPKG_INFO=${shQuote(`${dir}/info`)}\n`);
      const facts = await gatherFacts({ ...localTransport(shell), exec: (_s, o) => localTransport(shell).exec(script, o) });
      expect(facts.binaries.dockerd).toBe(bin);
      return { engine: facts.versions.engine, ran: existsSync(join(dir, 'ran')) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const packageVersion = () => installed(dpkgPackage!)!.replace(/^\d+:/, '').match(/^\d+\.\d+(\.\d+)?/)![0];

  it('an unchanged dpkg-installed binary: the package version, without running it', async () => {
    expect(await engineWith(() => {})).toEqual({ engine: packageVersion(), ran: false });
  });
  it('a binary changed after its package was unpacked, or a symlink, or not in the list: asked itself', async () => {
    expect(await engineWith((_d, _l, bin) => utimesSync(bin, new Date(Date.now() + 60_000), new Date(Date.now() + 60_000)))).toEqual({ engine: '99.8.7', ran: true });
    expect(await engineWith((dir, _l, bin) => {
      renameSync(bin, join(dir, 'real'));
      symlinkSync(join(dir, 'real'), bin);
    })).toEqual({ engine: '99.8.7', ran: true });
    expect(await engineWith((_d, list) => writeFileSync(list, '/.\n/usr/bin/other\n'))).toEqual({ engine: '99.8.7', ran: true });
  });
  it("the real binaries here: the package's version is what the binary itself says", async () => {
    const facts = await gatherFacts(localTransport(shell));
    const own = (tool: string) => parseToolVersion(spawnSync(tool, ['--version'], { encoding: 'utf8' }).stdout);
    if (facts.binaries.dockerd) expect(facts.versions.engine).toBe(own(facts.binaries.dockerd));
    if (facts.binaries.containerd) expect(facts.versions.containerd).toBe(own(facts.binaries.containerd));
    if (facts.binaries.docker) expect(facts.versions.cli).toBe(own(facts.binaries.docker));
  });
});
