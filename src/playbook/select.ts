/**
 * Which playbook, and which release of it, applies to a host — decided from os-release alone.
 *
 * 1. The host's own ID, then each ID_LIKE entry in order, is looked up in the playbooks' match.ids.
 * 2. A direct ID match picks the release by VERSION_ID (exact, or its major part: 9.4 → "9") or by
 *    VERSION_CODENAME. A match through ID_LIKE (a derivative: Mint, Pop!_OS, LMDE, Kali…) has its own
 *    version numbers, so only codenames count: UBUNTU_CODENAME, DEBIAN_CODENAME, the playbook's
 *    codenameAliases, then VERSION_CODENAME. Rolling playbooks (no versions) match any release.
 * 3. `--os` / `--codename` (per host) replace what was detected.
 */
import { DockhandError, ExitCode } from '../core/errors.js';
import type { OsRelease } from '../facts/types.js';
import type { Playbook, VersionEntry } from './schema.js';

export interface DistroOverride {
  os?: string;
  codename?: string;
}

export interface Selection {
  playbook: Playbook;
  /** The matched release; undefined for rolling distributions. */
  release?: VersionEntry;
  /** How it was found, for messages: "ID=ubuntu", "ID_LIKE=ubuntu (UBUNTU_CODENAME=noble)", "--os debian". */
  via: string;
}

/** The distribution is not one dockhand has a playbook for (or the release is not supported). */
export class UnsupportedDistroError extends DockhandError {
  constructor(message: string, hint: string) {
    super(message, { exitCode: ExitCode.hostFailed, hint });
  }
}

export function versionMatches(versionId: string | undefined, wanted: string): boolean {
  return versionId !== undefined && (versionId === wanted || versionId.startsWith(`${wanted}.`));
}

export function selectPlaybook(os: OsRelease, playbooks: readonly Playbook[], override: DistroOverride = {}): Selection {
  const candidates = override.os ? [override.os.toLowerCase()] : [os.id, ...os.idLike];
  for (const [index, id] of candidates.entries()) {
    const playbook = playbooks.find((p) => p.match.ids.includes(id));
    if (!playbook) continue;
    const direct = index === 0 && !override.os;
    const via = override.os ? `--os ${override.os}` : direct ? `ID=${id}` : `ID_LIKE=${id}`;
    const versions = playbook.match.versions;
    if (!versions) return { playbook, via };
    const found = direct && !override.codename ? byVersion(os, versions) : byCodename(os, playbook, override);
    if (found) return { playbook, release: found.entry, via: found.how ? `${via} (${found.how})` : via };
    throw new UnsupportedDistroError(
      `${detected(os)}: ${playbook.title} release not supported (${via}); supported: ${supportedList(versions)}`,
      `if the host is compatible with a supported release, pass --codename <codename>` +
        (codenamesOf(versions).length ? ` (one of ${codenamesOf(versions).join(', ')})` : '') +
        ' or --os <id>',
    );
  }
  const known = playbooks.flatMap((p) => p.match.ids).sort().join(', ');
  throw new UnsupportedDistroError(
    `${detected(os)}: unsupported distribution${override.os ? ` (--os ${override.os} names no playbook)` : ''}; dockhand has playbooks for ${known}`,
    'if the host is a derivative of a supported distribution, pass --os <id> and --codename <codename> (e.g. --os debian --codename bookworm)',
  );
}

function byVersion(os: OsRelease, versions: readonly VersionEntry[]) {
  const entry =
    versions.find((v) => versionMatches(os.versionId, v.version)) ??
    versions.find((v) => v.codename !== undefined && v.codename === os.versionCodename);
  return entry ? { entry, how: '' } : undefined;
}

function byCodename(os: OsRelease, playbook: Playbook, override: DistroOverride) {
  const aliases = playbook.match.codenameAliases ?? {};
  const versionCodename = os.versionCodename;
  const tries: Array<[string | undefined, string]> = override.codename
    ? [[override.codename.toLowerCase(), `--codename ${override.codename}`]]
    : [
        [os.ubuntuCodename, `UBUNTU_CODENAME=${os.ubuntuCodename}`],
        [os.debianCodename, `DEBIAN_CODENAME=${os.debianCodename}`],
        [versionCodename && aliases[versionCodename], `VERSION_CODENAME=${versionCodename} → ${versionCodename && aliases[versionCodename]}`],
        [versionCodename, `VERSION_CODENAME=${versionCodename}`],
      ];
  for (const [codename, how] of tries) {
    const entry = codename ? playbook.match.versions?.find((v) => v.codename === codename) : undefined;
    if (entry) return { entry, how };
  }
  return undefined;
}

/** What the host said about itself, for every error message. */
export function detected(os: OsRelease): string {
  const parts = [`ID=${os.id}`, `VERSION_ID=${os.versionId ?? '(none)'}`];
  if (os.versionCodename) parts.push(`VERSION_CODENAME=${os.versionCodename}`);
  parts.push(`ID_LIKE=${os.idLike.length ? os.idLike.join(' ') : '(none)'}`);
  return `detected ${parts.join(' ')}`;
}

function supportedList(versions: readonly VersionEntry[]): string {
  return versions.map((v) => (v.codename ? `${v.version} (${v.codename})` : v.version)).join(', ');
}

function codenamesOf(versions: readonly VersionEntry[]): string[] {
  return versions.flatMap((v) => (v.codename ? [v.codename] : []));
}
