/**
 * Fact area repository (repository.sh): the Docker package sources and keys already on the host — apt
 * source files, legacy keys, the keyring dockhand writes; on rpm hosts the .repo file and its key.
 */
import { sectionOf, type FileContent, type ProbeSection } from '../../probe/framing.js';
import { armouredKeyFingerprints } from '../openpgp.js';
import type { FactArea } from './area.js';

/** Where dockhand keeps Docker's repository and signing key (the repository step writes them). */
export const APT_KEYRING = '/etc/apt/keyrings/docker.asc';
export const RPM_REPO = '/etc/yum.repos.d/docker-ce.repo';
export const RPM_KEY = '/etc/pki/rpm-gpg/docker-ce.asc';

/** A signing key file, identified without gpg on the host (see src/facts/openpgp.ts). */
export interface KeyFileFacts {
  path: string;
  exists: boolean;
  /**
   * Primary key fingerprints in the file (40 upper-case hex digits each, file order); undefined when
   * the file exists but could not be read or is not an ASCII-armoured public key.
   */
  fingerprints?: string[];
}

export interface RepositoryAreaFacts {
  /**
   * apt only: the existing Docker apt source files and legacy keys (for clean-up), and the keyring
   * dockhand's source names in Signed-By (/etc/apt/keyrings/docker.asc; undefined from older probes).
   */
  aptSources?: { files: FileContent[]; legacyKeys: string[]; keyring?: KeyFileFacts };
  /** rpm hosts (those with /etc/yum.repos.d): Docker's .repo file and the local key its gpgkey names. */
  rpmRepo?: { file: FileContent; key: KeyFileFacts };
}

/** A key file as the probe emitted it → which keys it holds (undefined: not gathered). */
export function keyFileFacts(file: FileContent | undefined): KeyFileFacts | undefined {
  if (!file) return undefined;
  if (!file.exists) return { path: file.path, exists: false };
  return { path: file.path, exists: true, fingerprints: file.content !== undefined ? armouredKeyFingerprints(file.content) : undefined };
}

function parseAptSources(s: ProbeSection): RepositoryAreaFacts['aptSources'] {
  if (s.kv.apt !== 'yes') return undefined;
  const keyring = keyFileFacts(s.files[APT_KEYRING]);
  return {
    files: Object.values(s.files).filter((f) => f.path !== APT_KEYRING),
    legacyKeys: Object.keys(s.kv)
      .filter((k) => k.startsWith('legacy_key '))
      .map((k) => k.slice('legacy_key '.length)),
    ...(keyring ? { keyring } : {}),
  };
}

function parseRpmRepo(s: ProbeSection): RepositoryAreaFacts['rpmRepo'] {
  const file = s.files[RPM_REPO];
  const key = keyFileFacts(s.files[RPM_KEY]);
  return file && key ? { file, key } : undefined;
}

export const repositoryArea: FactArea<RepositoryAreaFacts> = {
  script: 'repository.sh',
  vars: { DH_APT_KEYRING: APT_KEYRING, DH_RPM_REPO: RPM_REPO, DH_RPM_KEY: RPM_KEY },
  parse: (out) => ({ aptSources: parseAptSources(sectionOf(out, 'apt_sources')), rpmRepo: parseRpmRepo(sectionOf(out, 'rpm_repo')) }),
};
