/**
 * `dockhand up --source docker` against a signed apt repository served from this machine (built at
 * test time with its own throwaway key; see harness/docker-repo.ts), and `up` on a host whose dpkg
 * lock another process holds.
 *
 * Checks: with --mirror and the mirror's --key-fingerprint the keyring and a deb822 source are written,
 * legacy leftovers (docker.list, trusted.gpg.d/docker.gpg) removed, the packages come from the mirror
 * and the daemon answers the login user; a second run is converged. With the wrong fingerprint the key
 * is refused before anything is installed. A held dpkg lock is waited for, visibly, then `up` succeeds;
 * so is the package lists' lock taken after the facts were gathered (apt-get update itself does not wait).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { homeWithKey, runCli } from '../harness/cli.js';
import { dockerLikeDebs, generateSigningKey, REPO_PATH, serveDirectory, writeAptRepo, type SigningKey, type StaticServer } from '../harness/docker-repo.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, sleep, type Fleet, type Suite, type TestHost } from '../harness/hosts.js';

/** Hosts provisioned from the mirror: one per suite the mirror serves. */
const MIRRORED: Array<{ name: string; suite: Suite }> = [
  { name: 'mirror12', suite: 'bookworm' },
  { name: 'mirror13', suite: 'trixie' },
];
const DOCKER_PACKAGES = ['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-buildx-plugin', 'docker-compose-plugin'];
/** The key the debian playbook pins (Docker's own): our mirror is signed with another one. */
const DOCKERS_FINGERPRINT = '9DC858229FC7DD38854AE2D88D81803C0EBFCD88';

const target = (h: TestHost) => `deploy@${h.address}`;

/** Installed packages among `names` (dpkg status "install ok installed"). */
async function installed(h: TestHost, names: string[]): Promise<string[]> {
  const res = await h.exec(`dpkg-query -W -f='\${Package} \${Status}\\n' ${names.map((n) => `'${n}'`).join(' ')} 2>/dev/null`);
  return res.stdout
    .split('\n')
    .filter((l) => l.endsWith(' install ok installed'))
    .map((l) => l.split(' ')[0]!);
}

/**
 * Takes a whole-file write lock on `path` inside the host for `seconds`, in the background: `POSIX`
 * as apt and dpkg take it (flock(1) would not block them), or `OFD` (conflicts with those too, but
 * /proc/locks names no process for it).
 */
async function holdLock(h: TestHost, path: string, kind: 'POSIX' | 'OFD', seconds: number): Promise<void> {
  const F_OFD_SETLKW = 38; // Linux
  const cmd = kind === 'POSIX' ? 'F_SETLKW' : String(F_OFD_SETLKW);
  await h.sh(
    `setsid perl -MFcntl -e 'open(my $f, ">>", "${path}") or die $!; ` +
      `fcntl($f, ${cmd}, pack("s s x4 q q l x4", F_WRLCK, SEEK_SET, 0, 0, 0)) or die $!; sleep ${seconds}' ` +
      '</dev/null >/dev/null 2>&1 &',
  );
  const label = kind === 'POSIX' ? 'POSIX' : 'OFDLCK';
  for (let i = 0; i < 50 && !(await h.sh('cat /proc/locks')).includes(label); i++) await sleep(100);
}

const exists = async (h: TestHost, path: string) => (await h.exec(`test -e '${path}'`)).code === 0;

describeHosts('dockhand up --source docker from a signed mirror; a held dpkg lock', () => {
  let fleet: Fleet;
  let home: string;
  let key: SigningKey;
  let repoDir: string;
  let server: StaticServer;
  const dockhand = (args: string[]) => runCli(fleet, home, args);

  beforeAll(async () => {
    fleet = await bootHosts([...MIRRORED, { name: 'badkey12', suite: 'bookworm' }, { name: 'lock12', suite: 'bookworm' }, { name: 'race12', suite: 'bookworm' }]);
    home = homeWithKey(fleet);
    repoDir = mkdtempSync(join(tmpdir(), 'dockhand-repo-'));
    key = await generateSigningKey();
    // Each suite's Debian docker.io, docker-cli (trixie), containerd and runc, fetched inside a host of
    // that suite (it reaches the mirror), become the Docker-named packages of our repository.
    await Promise.all(
      MIRRORED.map(async ({ name, suite }) => {
        const h = fleet.host(name);
        await h.sh(
          'apt-get update -qq && mkdir -p /root/debs && cd /root/debs && apt-get download -qq docker.io containerd runc ' +
            '&& if apt-cache show docker-cli >/dev/null 2>&1; then apt-get download -qq docker-cli; fi',
          { timeoutMs: 300_000 },
        );
        const arch = (await h.sh('dpkg --print-architecture')).trim();
        const debs = await dockerLikeDebs(join(h.rootfs, 'root/debs'), join(repoDir, 'build', suite));
        await h.sh('rm -rf /root/debs');
        await writeAptRepo(join(repoDir, 'www'), suite, arch, debs, key);
      }),
    );
    server = await serveDirectory(join(repoDir, 'www'), fleet.network.gateway);
  });
  afterAll(async () => {
    await server?.close();
    key?.remove();
    await fleet?.stop();
    for (const dir of [home, repoDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each(MIRRORED)('$suite: with the mirror and its fingerprint: keyring, deb822 source, legacy removed, packages installed; then converged', async ({ name, suite }) => {
    const h = fleet.host(name);
    const mirrorArgs = ['--source', 'docker', '--mirror', server.url, '--key-fingerprint', key.fingerprint, target(h)];
    // Leftovers of an older setup: a one-line source trusting a key in trusted.gpg.d. Both work as
    // they are (apt can use them), and both must go once the deb822 source with Signed-By is in place.
    await key.exportBinary(join(h.rootfs, 'etc/apt/trusted.gpg.d/docker.gpg'));
    await h.sh(`echo 'deb [arch=amd64] ${server.url}/${REPO_PATH} ${suite} stable' > /etc/apt/sources.list.d/docker.list`);

    const dry = await dockhand(['plan', ...mirrorArgs]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout, `stdout:\n${dry.stdout}\nstderr:\n${dry.stderr}`).toContain('legacy entries would conflict: /etc/apt/sources.list.d/docker.list, /etc/apt/trusted.gpg.d/docker.gpg');

    const up = await dockhand(['up', ...mirrorArgs]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(readFileSync(join(h.rootfs, 'etc/apt/keyrings/docker.asc'), 'utf8')).toBe(key.armoredPublicKey);
    expect(await h.sh('cat /etc/apt/sources.list.d/docker.sources')).toBe(
      [
        'Types: deb',
        `URIs: ${server.url}/${REPO_PATH}`,
        `Suites: ${suite}`,
        'Components: stable',
        'Architectures: amd64',
        'Signed-By: /etc/apt/keyrings/docker.asc',
        '',
      ].join('\n'),
    );
    expect(await exists(h, '/etc/apt/sources.list.d/docker.list')).toBe(false);
    expect(await exists(h, '/etc/apt/trusted.gpg.d/docker.gpg')).toBe(false);
    expect((await installed(h, DOCKER_PACKAGES)).sort()).toEqual([...DOCKER_PACKAGES].sort());
    // Debian's own packages of the same software are not installed: everything came from the mirror.
    expect(await installed(h, ['docker.io', 'docker-cli', 'containerd', 'runc'])).toEqual([]);
    expect(server.requests).toContain(`/${REPO_PATH}/dists/${suite}/InRelease`);
    expect(server.requests.some((p) => p.startsWith(`/${REPO_PATH}/pool/${suite}/stable/docker-ce_`))).toBe(true);
    const login = await h.ssh('deploy', `docker info --format '{{.Driver}}'`);
    expect(login.stdout.trim(), login.stderr).toBe('overlay2');

    const again = await dockhand(['up', ...mirrorArgs]);
    expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(0);
    expect(again.stdout).toMatch(/: 0 changed, 9 ok, 0 failed/);
  });

  it('a key with another fingerprint is refused, naming both, and nothing is installed', async () => {
    const h = fleet.host('badkey12');
    // No --key-fingerprint: the playbook pins Docker's key, and our mirror re-signs with its own.
    const up = await dockhand(['up', '--source', 'docker', '--mirror', server.url, target(h)]);
    expect(up.code).not.toBe(0);
    const output = `${up.stdout}\n${up.stderr}`;
    expect(output).toContain(`expected fingerprint ${DOCKERS_FINGERPRINT}, got: ${key.fingerprint}`);
    expect(output).toContain('--key-fingerprint');
    expect(await exists(h, '/etc/apt/keyrings/docker.asc')).toBe(false);
    expect(await exists(h, '/etc/apt/sources.list.d/docker.sources')).toBe(false);
    expect(await installed(h, [...DOCKER_PACKAGES, 'docker.io'])).toEqual([]);
  });

  /**
   * `up --source distro` on `host` while a lock is held for `seconds`: it must succeed, and only after
   * the lock was released, with docker.io installed. Returns everything it printed.
   */
  async function upWhileLocked(host: string, path: string, kind: 'POSIX' | 'OFD', seconds: number): Promise<string> {
    const h = fleet.host(host);
    const heldSince = Date.now();
    await holdLock(h, path, kind, seconds);
    const up = await dockhand(['up', '--source', 'distro', target(h)]);
    const finishedAfter = (Date.now() - heldSince) / 1000;
    const output = `${up.stdout}\n${up.stderr}`;
    expect(up.code, output).toBe(0);
    expect(finishedAfter).toBeGreaterThanOrEqual(seconds);
    expect(await installed(h, ['docker.io'])).toEqual(['docker.io']);
    return output;
  }

  it('waits for another process holding the dpkg lock, saying so, then succeeds', async () => {
    const output = await upWhileLocked('lock12', '/var/lib/dpkg/lock-frontend', 'POSIX', 20);
    expect(output).toMatch(/waiting for perl \(pid \d+\) to release \/var\/lib\/dpkg\/lock-frontend/);
  });

  it('waits when the package lists lock is taken after the facts were gathered (apt-get update does not wait)', async () => {
    // An OFD lock names no process, so the facts see no holder and wait-ready does not wait: the
    // same situation as apt-daily starting its update between the facts and the packages step.
    const output = await upWhileLocked('race12', '/var/lib/apt/lists/lock', 'OFD', 15);
    expect(output).toMatch(/wait-ready … ok \([\d.]+s\): ok: no package lock held/);
    expect(output).toContain('waiting for another package manager to release the package lists');
  });
});
