/**
 * An air-gap bundle: one tar file with the Docker packages and every dependency a host of one
 * release and architecture needs beyond its base system, `dockhand-bundle.json` (what it is for and
 * what it holds) and `SHA256SUMS` over every other file. Pure checks here: the manifest's shape, the
 * checksums, and whether the bundle fits a host — each refusal before anything changes.
 */
import { createHash } from 'node:crypto';

export const MANIFEST = 'dockhand-bundle.json';
export const SUMS = 'SHA256SUMS';
export const FORMAT = 'dockhand-bundle/1';

export interface BundlePackage {
  package: string;
  version: string;
  architecture: string;
  /** Path inside the bundle (debs/…). */
  file: string;
  sha256: string;
  size: number;
}

export interface BundleManifest {
  format: typeof FORMAT;
  os: { id: string; versionId: string; codename?: string };
  /** dpkg architecture (amd64, arm64). */
  arch: string;
  dockerVersion?: string;
  /** The Docker packages the plan installs (the rest are their dependencies). */
  install: string[];
  /** Held after install (with --docker-version). */
  hold: string[];
  /** Where the packages came from, and the key the Docker repository's signature was checked with. */
  sources: { docker: string; dockerKeyFingerprint: string; distro: string };
  packages: BundlePackage[];
  created: string;
}

export const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** `sha256sum` lines: HASH, two spaces, name. */
export function renderSums(files: ReadonlyMap<string, string>): string {
  return [...files].map(([name, hash]) => `${hash}  ${name}`).join('\n') + '\n';
}

const SAFE_NAME = /^(?:debs\/)?[A-Za-z0-9][A-Za-z0-9+.~_:%-]{0,250}$/;

export function parseSums(text: string, where: string): Map<string, string> {
  const sums = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line === '') return;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m || !SAFE_NAME.test(m[2]!) || sums.has(m[2]!)) throw new Error(`${where}:${i + 1}: not a checksum line for a bundle file`);
    sums.set(m[2]!, m[1]!);
  });
  return sums;
}

/** The manifest's shape, checked field by field (a bundle is input: file:line-like messages). */
export function parseManifest(text: string, where: string): BundleManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not JSON (${(err as Error).message})`);
  }
  const m = raw as Partial<BundleManifest>;
  const str = (v: unknown, re = /^[A-Za-z0-9][A-Za-z0-9+.~:_-]{0,127}$/) => typeof v === 'string' && re.test(v);
  const problems: string[] = [];
  if (m?.format !== FORMAT) problems.push(`format is not ${FORMAT}`);
  if (!str(m?.os?.id) || !str(m?.os?.versionId) || (m?.os?.codename !== undefined && !str(m.os.codename))) problems.push('os is not {id, versionId, codename}');
  if (!str(m?.arch)) problems.push('arch missing');
  if (!Array.isArray(m?.install) || !m.install.every((p) => str(p))) problems.push('install is not a list of package names');
  if (!Array.isArray(m?.hold) || !m.hold.every((p) => str(p))) problems.push('hold is not a list of package names');
  if (!Array.isArray(m?.packages) || m.packages.length === 0) problems.push('packages is empty');
  else
    m.packages.forEach((p, i) => {
      if (!str(p?.package) || !str(p?.version) || !str(p?.architecture) || !SAFE_NAME.test(p?.file ?? '') || !/^[0-9a-f]{64}$/.test(p?.sha256 ?? '') || !Number.isSafeInteger(p?.size)) {
        problems.push(`packages[${i}] is not {package, version, architecture, file, sha256, size}`);
      }
    });
  if (problems.length) throw new Error(`${where}: ${problems.join('; ')}`);
  return m as BundleManifest;
}

/**
 * Every file of the bundle is listed in SHA256SUMS with its hash, every listed file is there, and each
 * package's manifest entry agrees: the first problem, or undefined.
 */
export function checksumProblem(manifest: BundleManifest, sums: ReadonlyMap<string, string>, actual: ReadonlyMap<string, string>): string | undefined {
  for (const [name, hash] of sums) {
    const got = actual.get(name);
    if (got === undefined) return `${name} is listed in ${SUMS} but missing`;
    if (got !== hash) return `${name}: sha256 ${got}, ${SUMS} says ${hash}`;
  }
  for (const name of actual.keys()) if (!sums.has(name)) return `${name} is not listed in ${SUMS}`;
  if (!sums.has(MANIFEST)) return `${MANIFEST} is not listed in ${SUMS}`;
  for (const p of manifest.packages) {
    if (sums.get(p.file) !== p.sha256) return `${p.file}: the manifest's sha256 differs from ${SUMS}`;
  }
  return undefined;
}

/** Why the bundle does not fit a host (os-release ID, VERSION_ID, dpkg architecture), or undefined. */
export function fitProblem(manifest: BundleManifest, host: { id: string; versionId?: string; arch?: string }): string | undefined {
  const wanted = `${manifest.os.id} ${manifest.os.versionId} ${manifest.arch}`;
  const have = `${host.id} ${host.versionId ?? '?'} ${host.arch ?? '?'}`;
  // VERSION_ID 12 matches a bundle for 12; a point release in os-release (11.9 on some) matches its major.
  const version = host.versionId === manifest.os.versionId || host.versionId?.split('.')[0] === manifest.os.versionId;
  if (host.id !== manifest.os.id || !version || host.arch !== manifest.arch) return `the bundle is for ${wanted}, this host is ${have}`;
  return undefined;
}
