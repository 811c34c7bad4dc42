/**
 * The facts probe: probes/facts.sh, one POSIX sh script run once per host without sudo, that
 * prints everything src/facts/types.ts needs in the framing of src/probe/framing.ts. This module
 * holds what the script and the parser share (the names looked up) and assembles the script.
 */
import { probeFile } from '../probe/scripts.js';
import { sh } from '../shell/quote.js';


/** Docker-related package names looked up on dpkg systems (engine, plugins, distro builds, conflicts). */
export const DPKG_PACKAGES = [
  'docker-ce', 'docker-ce-cli', 'containerd.io', 'docker-buildx-plugin', 'docker-compose-plugin',
  'docker-ce-rootless-extras', 'docker.io', 'containerd', 'runc', 'podman-docker', 'docker-compose',
  'docker-compose-v2', 'docker-doc', 'podman',
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

/** Units whose state matters to Docker on systemd hosts. */
export const UNITS = ['docker.service', 'docker.socket', 'containerd.service'] as const;

/** Package-manager lock files whose holders we report. */
export const LOCK_FILES = [
  '/var/lib/dpkg/lock-frontend', '/var/lib/dpkg/lock', '/var/lib/apt/lists/lock', '/var/cache/apt/archives/lock',
  '/var/lib/rpm/.rpm.lock', '/lib/apk/db/lock',
] as const;

/** Lock files whose mere existence means "busy" (they hold a PID or nothing; no fcntl lock). */
export const PID_LOCK_FILES = ['/var/run/yum.pid', '/run/zypp.pid', '/var/lib/pacman/db.lck'] as const;

/** Where dockhand keeps Docker's repository and signing key (the repository step writes them). */
export const APT_KEYRING = '/etc/apt/keyrings/docker.asc';
export const RPM_REPO = '/etc/yum.repos.d/docker-ce.repo';
export const RPM_KEY = '/etc/pki/rpm-gpg/docker-ce.asc';

export const DEFAULT_DOCKER_ROOT = '/var/lib/docker';
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';

/** Storage driver directories under the Docker root; `overlayfs` is the containerd snapshotter. */
export const STORAGE_DRIVERS = ['overlay2', 'fuse-overlayfs', 'vfs', 'btrfs', 'zfs', 'devicemapper', 'aufs'] as const;

const words = (list: readonly string[]) => list.join(' ');

/** The word lists and paths facts.sh reads (DH_*), as shell assignments. */
const FACTS_VARS = sh`DH_DPKG_PACKAGES=${words(DPKG_PACKAGES)}
DH_RPM_PACKAGES=${words(RPM_PACKAGES)}
DH_OTHER_PACKAGES=${words(OTHER_PACKAGES)}
DH_UNITS=${words(UNITS)}
DH_STORAGE_DRIVERS=${words(STORAGE_DRIVERS)}
DH_LOCK_FILES=${words(LOCK_FILES)}
DH_PID_LOCK_FILES=${words(PID_LOCK_FILES)}
DH_DEFAULT_ROOT=${DEFAULT_DOCKER_ROOT}
DH_DEFAULT_SOCKET=${DEFAULT_DOCKER_SOCKET}
DH_APT_KEYRING=${APT_KEYRING}
DH_RPM_REPO=${RPM_REPO}
DH_RPM_KEY=${RPM_KEY}
`;

/** The end marker: the last thing every probe prints (absent = the output was cut short). */
const DONE = "printf 'D\\000'\n";

/**
 * The facts probe as one script: the framing helpers, the lists, probes/facts.sh, then `more`
 * (the doctor appends its own probe so the examination stays one round trip), then the end marker.
 */
export function factsProbeScript(...more: string[]): string {
  return [probeFile('framing.sh'), FACTS_VARS, probeFile('facts.sh'), ...more, DONE].join('\n');
}
