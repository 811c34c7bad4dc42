/** Fact area packages (packages.sh): the package manager, and the Docker-related packages installed. */
import { sectionOf, stdoutOf, type ProbeOutput, type ProbeSection } from '../../probe/framing.js';
import type { FactArea } from './area.js';
import { parseIntOrUndefined, pick } from './values.js';

/** Docker-related package names looked up on dpkg systems (engine, plugins, distro builds, conflicts). */
export const DPKG_PACKAGES = [
  'docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-buildx-plugin', 'docker-compose-plugin',
  'docker-ce-rootless-extras', 'docker.io', 'containerd', 'runc', 'podman-docker', 'docker-compose',
  'docker-compose-v2', 'docker-doc', 'podman',
  // rootless mode (step rootless)
  'rootlesskit', 'uidmap', 'dbus-user-session', 'slirp4netns', 'passt',
] as const;

/** The same on rpm systems (Docker's packages, RHEL/Fedora/Amazon/SUSE builds, conflicts). */
export const RPM_PACKAGES = [
  'docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-buildx-plugin', 'docker-compose-plugin',
  'docker-ce-rootless-extras', 'docker', 'docker-client', 'docker-client-latest', 'docker-common',
  'docker-latest', 'docker-latest-logrotate', 'docker-logrotate', 'docker-engine', 'docker-selinux',
  'docker-engine-selinux', 'moby-engine', 'podman', 'podman-docker', 'runc', 'containerd', 'buildah',
  'docker-compose',
] as const;

/** Alpine and Arch name them differently again. */
export const OTHER_PACKAGES = [
  'docker', 'docker-cli', 'docker-engine', 'docker-cli-compose', 'docker-compose', 'docker-buildx',
  'containerd', 'runc', 'podman',
] as const;

export type PackageManager = 'apt' | 'dnf5' | 'dnf4' | 'yum' | 'zypper' | 'pacman' | 'apk' | 'unknown';

export interface PackagesAreaFacts {
  packageManager: PackageManager;
  /** Installed packages relevant to Docker (engine, cli, containerd, runc, conflicts, podman-docker…) → version. */
  packages: Record<string, string>;
  /** dpkg hosts: the Docker-related packages marked hold (installed or not: a removed package keeps its mark). */
  held?: string[];
  /** dpkg hosts: an earlier dpkg run was interrupted (`dpkg --audit` output, or pending updates/). */
  dpkgInterrupted?: boolean;
}

/**
 * `dpkg-query -W -f '${Package}\t${Version}\t${db:Status-Abbrev}\n'`: keep only packages that are
 * fully installed — status (second letter) `i` and no reinstall-required flag (third letter `R`).
 * Half-installed (`H`), unpacked (`U`), half-configured (`F`) or trigger-waiting (`W`, `t`)
 * packages have files on disk but are not usable; counting them would skip their install.
 */
export function parseDpkgQuery(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [name, version, status] = line.split('\t');
    if (!name || !version || !status) continue;
    if (status[1] !== 'i' || status[2] === 'R') continue;
    out[name] = version;
  }
  return out;
}

/** The same query's packages whose selection (first letter of db:Status-Abbrev) is `h`, hold. */
export function parseDpkgHolds(text: string): string[] {
  return text.split('\n').flatMap((line) => {
    const [name, , status] = line.split('\t');
    return name && status?.[0] === 'h' && (DPKG_PACKAGES as readonly string[]).includes(name) ? [name] : [];
  });
}

/**
 * An interrupted dpkg run: `dpkg --audit` lists packages it left unpacked or half-configured, or
 * /var/lib/dpkg/updates holds journal entries not yet applied. undefined: not a dpkg host.
 */
export function parseDpkgInterrupted(s: ProbeSection): boolean | undefined {
  const audit = s.commands.dpkg_audit;
  const updates = parseIntOrUndefined(s.kv.dpkg_updates);
  if (!audit && updates === undefined) return undefined;
  return (audit !== undefined && audit.rc !== null && audit.stdout.trim() !== '') || (updates ?? 0) > 0;
}

/** `rpm -q --qf '%{NAME}\t%{EPOCH}:%{VERSION}-%{RELEASE}\n'`; "package x is not installed" lines are skipped. */
export function parseRpmQuery(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [name, evr] = line.split('\t');
    if (!name || !evr) continue;
    out[name] = evr.replace(/^\(none\):/, '');
  }
  return out;
}

/** `pacman -Q names…`: `name version` per installed package. */
export function parsePacmanQuery(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+) (\S+)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** The `P:`/`V:` lines of Alpine's /lib/apk/db/installed, kept for the names we care about. */
export function parseApkInstalled(text: string, names: readonly string[]): Record<string, string> {
  const wanted = new Set(names);
  const out: Record<string, string> = {};
  let pkg: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('P:')) pkg = line.slice(2);
    else if (line.startsWith('V:') && pkg !== undefined) {
      if (wanted.has(pkg)) out[pkg] = line.slice(2);
      pkg = undefined;
    }
  }
  return out;
}

/** `dnf --version`: dnf5 says "dnf5 version 5.x"; dnf 4 prints a bare "4.x.y" first. */
export function parseDnfVersion(text: string): 'dnf5' | 'dnf4' | undefined {
  if (/^dnf5 version/m.test(text) || /^\s*5\.\d+/.test(text)) return 'dnf5';
  if (/^\s*4\.\d+/.test(text)) return 'dnf4';
  return undefined;
}

/** The package manager to drive, by the tools present (apt first: Debian hosts may also carry rpm). */
export function detectPackageManager(kv: Record<string, string>, dnfVersion: string | undefined): PackageManager {
  if (kv['apt-get'] === 'yes' && kv.dpkg === 'yes') return 'apt';
  if (kv.dnf5 === 'yes' && kv.dnf !== 'yes') return 'dnf5';
  if (kv.dnf === 'yes') return (dnfVersion ? parseDnfVersion(dnfVersion) : undefined) ?? (kv.dnf5 === 'yes' ? 'dnf5' : 'dnf4');
  if (kv.yum === 'yes') return 'yum';
  if (kv.zypper === 'yes') return 'zypper';
  if (kv.pacman === 'yes') return 'pacman';
  if (kv.apk === 'yes') return 'apk';
  return 'unknown';
}

function installed(s: ProbeSection): Record<string, string> {
  const dpkg = stdoutOf(s, 'dpkg');
  const rpm = stdoutOf(s, 'rpm');
  const pacman = stdoutOf(s, 'pacman');
  const apk = stdoutOf(s, 'apk');
  return {
    ...(apk !== undefined ? parseApkInstalled(apk, OTHER_PACKAGES) : {}),
    ...(pacman !== undefined ? parsePacmanQuery(pacman) : {}),
    ...(rpm !== undefined ? pick(parseRpmQuery(rpm), RPM_PACKAGES) : {}),
    ...(dpkg !== undefined ? pick(parseDpkgQuery(dpkg), DPKG_PACKAGES) : {}),
  };
}

function parse(out: ProbeOutput): PackagesAreaFacts {
  const pkg = sectionOf(out, 'pkg');
  const packages = sectionOf(out, 'packages');
  const dpkgInterrupted = parseDpkgInterrupted(packages);
  const dpkg = stdoutOf(packages, 'dpkg');
  return {
    ...(dpkg !== undefined ? { held: parseDpkgHolds(dpkg) } : {}),
    packageManager: detectPackageManager(pkg.kv, stdoutOf(pkg, 'dnf_version')),
    packages: installed(packages),
    ...(dpkgInterrupted !== undefined ? { dpkgInterrupted } : {}),
  };
}

export const packagesArea: FactArea<PackagesAreaFacts> = {
  script: 'packages.sh',
  vars: { DH_DPKG_PACKAGES: DPKG_PACKAGES, DH_RPM_PACKAGES: RPM_PACKAGES, DH_OTHER_PACKAGES: OTHER_PACKAGES },
  parse,
};
