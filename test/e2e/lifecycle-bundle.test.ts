/**
 * Air-gapped installs: `dockhand bundle` on this machine (the controller) for Debian 12 amd64 from
 * the signed test repository plus the machine's own Debian mirror; then a host whose route to the
 * mirror is removed gets Docker from the bundle with `up --bundle`. A tampered bundle (a package
 * changed) is refused before any host is touched (exit 65); a bundle for another architecture is
 * refused by the host check before anything changes (exit 2).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, homeWithKey, runCli } from '../harness/cli.js';
import { runProgram } from '../harness/run.js';
import { describeHosts } from '../harness/e2e.js';
import { bootHosts, type Fleet, type TestHost } from '../harness/hosts.js';
import { installedVersion, twoVersionRepo, V2, type TwoVersionRepo } from '../harness/lifecycle.js';
import { MANIFEST, renderSums, sha256, SUMS } from '../../src/bundle/manifest.js';

describeHosts('dockhand bundle and up --bundle: an install with no network on the host', () => {
  let fleet: Fleet;
  let home: string;
  let repo: TwoVersionRepo;
  let h: TestHost;
  let dir: string;
  let bundle: string;
  const dockhand = (args: string[]) => runCli(fleet, home, args);
  /** `bundle` runs on this machine only: no SSH options. */
  const bundleCmd = (args: string[]) => runProgram(process.execPath, [CLI, 'bundle', ...args], { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, CI: 'true' });
  const target = () => `deploy@${h.address}`;

  /** A copy of the bundle with `edit` applied to its unpacked tree; `resum` recomputes SHA256SUMS. */
  function repacked(name: string, edit: (tree: string) => void, resum: boolean): string {
    const tree = mkdtempSync(join(dir, `${name}-`));
    execFileSync('tar', ['-xf', bundle, '-C', tree]);
    edit(tree);
    if (resum) {
      const files = [MANIFEST, ...readdirSync(join(tree, 'debs')).map((f) => `debs/${f}`)];
      writeFileSync(join(tree, SUMS), renderSums(new Map(files.map((f) => [f, sha256(readFileSync(join(tree, f)))]))));
    }
    const out = join(dir, `${name}.tar`);
    execFileSync('tar', ['-cf', out, '-C', tree, MANIFEST, SUMS, 'debs']);
    return out;
  }

  beforeAll(async () => {
    fleet = await bootHosts([{ name: 'air12', suite: 'bookworm' }]);
    home = homeWithKey(fleet);
    h = fleet.host('air12');
    repo = await twoVersionRepo(fleet, h);
    dir = mkdtempSync(join(tmpdir(), 'dockhand-e2e-bundle-'));
    bundle = join(dir, 'docker-debian12-amd64.tar');
    // The host loses its way to the mirror (its default route); SSH from the bridge still works.
    await h.sh('ip route del default');
  });
  afterAll(async () => {
    await repo?.close();
    await fleet?.stop();
    for (const d of [home, dir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('bundle: one file with the Docker packages and their dependencies, checked against the signed indexes', async () => {
    const made = await bundleCmd(['--os', 'debian', '--os-version', '12', '--arch', 'amd64', '--docker-version', '24.0.2', '--mirror', repo.url, '--key-fingerprint', repo.fingerprint, '-o', bundle, '--json']);
    expect(made.code, made.stderr).toBe(0);
    const { manifest } = JSON.parse(made.stdout.trim().split('\n').pop()!) as { manifest: { packages: Array<{ package: string; version: string }>; hold: string[]; dockerVersion: string } };
    const names = manifest.packages.map((p) => p.package);
    expect(names).toEqual(expect.arrayContaining(['docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-buildx-plugin', 'docker-compose-plugin', 'iptables']));
    // The base system (Priority: required) is not in it.
    expect(names).not.toContain('libc6');
    expect(manifest.dockerVersion).toBe(V2);
    expect(manifest.hold).toEqual(['docker-ce', 'docker-ce-cli']);
    // A re-signed repository with another key is refused.
    const badKey = await bundleCmd(['--os', 'debian', '--os-version', '12', '--arch', 'amd64', '--mirror', repo.url, '-o', join(dir, 'x.tar')]);
    expect(badKey.code).not.toBe(0);
    expect(badKey.stderr).toContain(`got: ${repo.fingerprint}`);
  });

  it('a tampered bundle is refused before any host is touched', async () => {
    const tampered = repacked('tampered', (tree) => {
      const deb = join(tree, 'debs', readdirSync(join(tree, 'debs')).find((f) => f.startsWith('docker-ce_'))!);
      const bytes = readFileSync(deb);
      bytes[bytes.length - 10] ^= 0xff;
      writeFileSync(deb, bytes);
    }, false);
    const up = await dockhand(['up', '--bundle', tampered, target()]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(65);
    expect(up.stderr).toMatch(/bundle refused: debs\/docker-ce_[^:]+: sha256 [0-9a-f]{64}, SHA256SUMS says [0-9a-f]{64}/);
    expect(await installedVersion(h, 'docker-ce')).toBe('');
  });

  it('a bundle for another architecture is refused by the host check, nothing changed', async () => {
    const arm = repacked('arm64', (tree) => {
      const m = JSON.parse(readFileSync(join(tree, MANIFEST), 'utf8'));
      writeFileSync(join(tree, MANIFEST), JSON.stringify({ ...m, arch: 'arm64' }));
    }, true);
    const up = await dockhand(['up', '--bundle', arm, target()]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(2);
    expect(`${up.stdout}\n${up.stderr}`).toContain('the bundle is for debian 12 arm64, this host is debian 12 amd64');
    expect(await installedVersion(h, 'docker-ce')).toBe('');
    expect((await h.exec('test -e /var/tmp/dockhand-bundle.tar')).code).not.toBe(0);
  });

  it('up --bundle installs with no network on the host: packages at the bundle version, held, daemon answering', async () => {
    expect((await h.sh('ip route show default')).trim()).toBe('');
    const served = repo.server.requests.length;
    const plan = await dockhand(['plan', '--bundle', bundle, '--show-commands', target()]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('not needed: installing from a bundle (no network)');
    expect(plan.stdout).toContain('Dir::Etc::sourcelist="$work/none.list"');
    const up = await dockhand(['up', '--bundle', bundle, target()]);
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(repo.server.requests.length).toBe(served);
    expect(await installedVersion(h, 'docker-ce')).toBe(V2);
    expect((await h.sh('apt-mark showhold')).split('\n')).toEqual(expect.arrayContaining(['docker-ce', 'docker-ce-cli']));
    expect((await h.exec('test -e /var/tmp/dockhand-bundle.tar')).code).not.toBe(0);
    const info = await h.ssh('deploy', `docker info --format '{{.Driver}}'`);
    expect(info.stdout.trim(), info.stderr).toBe('overlay2');
    // Converged: a second run installs nothing and needs no upload.
    const again = await dockhand(['up', '--bundle', bundle, target()]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/: 0 changed, 9 ok, 0 failed/);
  });
});
