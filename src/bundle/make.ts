/**
 * `dockhand bundle`: on a machine that reaches the repositories, resolve and download what a host
 * of one release and architecture needs (apt-root.ts), and write one tar file: the packages, the
 * manifest and their sha256 sums. Docker's signing key is fetched and checked against the pinned
 * fingerprint exactly as `up` does on a host; apt then checks both repositories' signatures.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DockhandError, ExitCode, UsageError } from '../core/errors.js';
import { fingerprintProblem, normalizeFingerprint } from '../core/values.js';
import type { Playbook } from '../playbook/schema.js';
import { DOCKER_DOWNLOAD_BASE, packageList } from '../plan/context.js';
import { versionSatisfies } from '../plan/steps/packages.js';
import { makeAptRoot, type AptRoot } from './apt-root.js';
import { FORMAT, MANIFEST, renderSums, sha256, SUMS, type BundleManifest, type BundlePackage } from './manifest.js';

const run = promisify(execFile);

export interface BundleRequest {
  os: string;
  osVersion: string;
  arch: string;
  dockerVersion?: string;
  mirror?: string;
  keyFingerprint?: string;
  channel?: 'stable' | 'test';
  /** The distribution's own archive (dependencies); default: this machine's apt source for that release. */
  distroMirror?: string;
  /** The distribution's archive keyring; default /usr/share/keyrings/<os>-archive-keyring.gpg. */
  distroKeyring?: string;
  out: string;
  log?: (line: string) => void;
}

export interface BundleResult {
  file: string;
  bytes: number;
  manifest: BundleManifest;
}

/** The first `deb` URI of this machine's apt sources serving `suite` with `main` (one-line or deb822). */
export function localMirrorFor(suite: string, files: ReadonlyArray<{ path: string; text: string }>): string | undefined {
  for (const { path, text } of files) {
    if (path.endsWith('.sources')) {
      for (const block of text.split(/\n\s*\n/)) {
        const field = (k: string) => new RegExp(`^${k}:\\s*(.+)$`, 'mi').exec(block)?.[1]?.trim().split(/\s+/) ?? [];
        if (field('Types').includes('deb') && field('Suites').includes(suite) && field('Components').includes('main')) return field('URIs')[0];
      }
    } else {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$/.exec(line);
        if (m && m[2] === suite && m[3]!.split(/\s+/).includes('main')) return m[1];
      }
    }
  }
  return undefined;
}

function machineAptSources(): Array<{ path: string; text: string }> {
  const paths = ['/etc/apt/sources.list'];
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) paths.push(...readdirSync(dir).filter((f) => f.endsWith('.list') || f.endsWith('.sources')).map((f) => join(dir, f)));
  return paths.filter((p) => existsSync(p)).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
}

/** Primary key fingerprints of an OpenPGP key file, read by gpg in a throwaway home. */
async function keyFingerprints(file: string, work: string): Promise<string[]> {
  const home = join(work, 'gnupg');
  mkdirSync(home, { mode: 0o700, recursive: true });
  const { stdout } = await run('gpg', ['--batch', '--show-keys', '--with-colons', file], { env: { ...process.env, GNUPGHOME: home } });
  const out: string[] = [];
  let primary = false;
  for (const line of stdout.split('\n')) {
    const f = line.split(':');
    if (f[0] === 'pub') primary = true;
    else if (f[0] === 'fpr' && primary) (out.push(f[9]!), (primary = false));
    else primary = false;
  }
  return out;
}

export async function makeBundle(req: BundleRequest, playbooks: readonly Playbook[]): Promise<BundleResult> {
  const log = req.log ?? (() => {});
  const playbook = playbooks.find((p) => p.match.ids.includes(req.os));
  const release = playbook?.match.versions?.find((v) => v.version === req.osVersion);
  if (!playbook || !release) throw new UsageError(`--os ${req.os} --os-version ${req.osVersion}: no playbook covers that release`);
  if ((release.packageManager ?? playbook.packageManager) !== 'apt') throw new UsageError(`${playbook.title}: bundles are made for apt releases only`);
  const docker = playbook.sources.docker;
  if (!docker || !release.codename) throw new UsageError(`${playbook.title} ${release.version}: no Docker repository for this release`);
  const fingerprint = normalizeFingerprint(req.keyFingerprint ?? docker.keyFingerprint);
  const fpProblem = fingerprintProblem(fingerprint);
  if (fpProblem) throw new UsageError(`--key-fingerprint: ${fpProblem}`);
  const suite = release.codename;
  const distro = req.distroMirror ?? localMirrorFor(suite, machineAptSources());
  if (!distro) throw new UsageError(`--distro-mirror: no apt source of this machine serves ${suite} main; give the distribution's archive URL`);
  const distroKeyring = req.distroKeyring ?? `/usr/share/keyrings/${req.os}-archive-keyring.gpg`;
  if (!existsSync(distroKeyring)) throw new UsageError(`--distro-keyring: ${distroKeyring} does not exist`);

  const work = mkdtempSync(join(tmpdir(), 'dockhand-bundle-'));
  try {
    const dockerUrl = `${(req.mirror ?? DOCKER_DOWNLOAD_BASE).replace(/\/+$/, '')}/${release.dockerRepo ?? docker.repo}`;
    const keyFile = join(work, 'docker.asc');
    const res = await fetch(`${dockerUrl}/gpg`);
    if (!res.ok) throw new DockhandError(`${dockerUrl}/gpg: HTTP ${res.status}`, { exitCode: ExitCode.hostFailed });
    writeFileSync(keyFile, Buffer.from(await res.arrayBuffer()));
    const found = await keyFingerprints(keyFile, work);
    if (found.length !== 1 || found[0] !== fingerprint) {
      throw new DockhandError(`refusing the key from ${dockerUrl}/gpg: expected fingerprint ${fingerprint}, got: ${found.join(', ') || 'no key'}`, {
        exitCode: ExitCode.hostFailed,
        hint: 'a mirror that re-signs needs --key-fingerprint with its own key',
      });
    }
    const apt = makeAptRoot(join(work, 'root'), req.arch, [
      { url: dockerUrl, suite, component: req.channel ?? 'stable', keyring: keyFile },
      { url: distro, suite, component: 'main', keyring: distroKeyring },
    ]);
    log(`resolving for ${req.os} ${req.osVersion} (${suite}) ${req.arch}: ${dockerUrl} and ${distro}`);
    await apt.aptGet(['update']);
    writeFileSync(join(apt.dir, 'var/lib/dpkg/status'), (await import('./apt-root.js')).baseStatus(apt.indexes().filter((s) => s.Architecture === req.arch || s.Architecture === 'all')));
    const names = packageList(docker.packages);
    const pinned = [docker.packages.engine, docker.packages.cli].filter((p): p is string => p !== undefined);
    const version = req.dockerVersion ? await resolveVersion(apt, docker.packages.engine, req.dockerVersion) : undefined;
    const specs = names.map((n) => (version && pinned.includes(n) ? `${n}=${version}` : n));
    await apt.aptGet(['install', '--download-only', '-y', ...specs]);
    const manifest = await writeBundle(apt, req, {
      os: { id: req.os, versionId: release.version, codename: suite },
      install: names,
      hold: version ? pinned : [],
      dockerVersion: version,
      sources: { docker: dockerUrl, dockerKeyFingerprint: fingerprint, distro },
    });
    return { file: req.out, bytes: statSync(req.out).size, manifest };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function resolveVersion(apt: AptRoot, pkg: string, wanted: string): Promise<string> {
  const versions = (await apt.aptCache(['madison', pkg])).split('\n').map((l) => l.split('|')[1]?.trim()).filter((v): v is string => Boolean(v));
  const match = versions.find((v) => versionSatisfies(v, wanted));
  if (!match) throw new UsageError(`--docker-version ${wanted}: no ${pkg} version ${wanted} in the repository; available: ${versions.slice(0, 10).join(', ') || 'none'}`);
  return match;
}

async function writeBundle(apt: AptRoot, req: BundleRequest, meta: Pick<BundleManifest, 'os' | 'install' | 'hold' | 'dockerVersion' | 'sources'>): Promise<BundleManifest> {
  const stage = join(apt.dir, '..', 'stage');
  mkdirSync(join(stage, 'debs'), { recursive: true });
  // What apt downloaded, found in the signed indexes by hash (apt checked it on download; its file
  // names carry the epoch, the indexes' do not).
  const byHash = new Map(apt.indexes().map((s) => [s.SHA256, s]));
  const packages: BundlePackage[] = [];
  const sums = new Map<string, string>();
  for (const f of readdirSync(apt.archives).filter((n) => n.endsWith('.deb')).sort()) {
    const bytes = readFileSync(join(apt.archives, f));
    const hash = sha256(bytes);
    const stanza = byHash.get(hash);
    if (!stanza) throw new DockhandError(`${f}: not the package the signed index lists`, { exitCode: ExitCode.hostFailed });
    copyFileSync(join(apt.archives, f), join(stage, 'debs', f));
    packages.push({ package: stanza.Package!, version: stanza.Version!, architecture: stanza.Architecture!, file: `debs/${f}`, sha256: hash, size: bytes.length });
    sums.set(`debs/${f}`, hash);
  }
  const manifest: BundleManifest = { format: FORMAT, arch: req.arch, ...meta, packages, created: new Date().toISOString() };
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  writeFileSync(join(stage, MANIFEST), text);
  writeFileSync(join(stage, SUMS), renderSums(new Map([[MANIFEST, sha256(text)], ...sums])));
  await run('tar', ['-cf', req.out, '-C', stage, MANIFEST, SUMS, 'debs']);
  return manifest;
}
