/**
 * Fact area storage (storage.sh): the filesystem under the Docker data root (its type, d_type, free
 * space and inodes), the data the storage drivers keep there, and the overlay module.
 */
import { sectionOf, stdoutOf, type ProbeOutput, type ProbeSection } from '../../probe/framing.js';
import type { FactArea } from './area.js';
import { DEFAULT_DOCKER_ROOT } from './docker.js';
import { nonEmpty, parseIntOrUndefined, yes } from './values.js';

/** Storage driver directories under the Docker root; `overlayfs` is the containerd snapshotter. */
export const STORAGE_DRIVERS = ['overlay2', 'fuse-overlayfs', 'vfs', 'btrfs', 'zfs', 'devicemapper', 'aufs'] as const;

export interface DockerRootFacts {
  /** Usually /var/lib/docker (from daemon.json data-root when set). */
  path: string;
  exists: boolean;
  /** Filesystem type of the directory, or of its nearest existing parent. */
  fsType?: string;
  /** Backing filesystem supports d_type (overlay2 needs it); undefined when unknown. */
  dType?: boolean;
  /** The storage driver directories with content (overlay2, vfs, btrfs, …). */
  driversWithData: string[];
  /** Number of image layers/containers present (a driver switch would hide them). */
  imageCount?: number;
  containerCount?: number;
  /** Percent free, 0–100. */
  diskFreePercent?: number;
  inodesFreePercent?: number;
}

export interface StorageAreaFacts {
  dockerRoot: DockerRootFacts;
  overlay: {
    /** `overlay` listed in /proc/filesystems (built in or loaded). */
    supported: boolean;
    moduleLoaded: boolean;
    /** A modules-load.d entry persists it across reboots. */
    persisted: boolean;
  };
}

/** Percent free from POSIX `df -P` or `df -Pi` (second line: fs, total, used, free, use%, mount). */
export function parseDfFreePercent(text: string): number | undefined {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  // A long device name can wrap onto its own line in non-POSIX df; join what follows the header.
  const fields = lines.slice(1).join(' ').trim().split(/\s+/);
  const used = Number(fields[2]);
  const free = Number(fields[3]);
  if (!Number.isFinite(used) || !Number.isFinite(free) || fields.length < 4) return undefined;
  if (used + free === 0) return undefined; // filesystems without inode accounting (btrfs, vfat) report 0/0
  return Math.round((free / (used + free)) * 1000) / 10;
}

/** `xfs_info` prints `ftype=1` when the filesystem records d_type. */
export function parseXfsFtype(text: string): boolean | undefined {
  const m = /ftype=(\d)/.exec(text);
  return m ? m[1] === '1' : undefined;
}

/**
 * Whether a filesystem type gives overlay2 the d_type it needs. xfs depends on ftype (asked
 * separately); overlay-on-overlay is unsupported regardless, so false.
 */
export function fsSupportsDType(fsType: string | undefined, xfsFtype: boolean | undefined): boolean | undefined {
  if (!fsType) return undefined;
  if (/^ext[234]$|^ext2\/ext3$/.test(fsType)) return true;
  if (fsType === 'xfs') return xfsFtype;
  if (['btrfs', 'tmpfs', 'zfs', 'f2fs'].includes(fsType)) return true;
  if (fsType === 'overlay' || fsType === 'overlayfs') return false;
  return undefined;
}

function parseDockerRoot(s: ProbeSection): DockerRootFacts {
  const kv = s.kv;
  const fsType = nonEmpty(kv.fstype) ?? nonEmpty(kv.fstype_statf);
  const xfsInfo = stdoutOf(s, 'xfs_info');
  const drivers = [...STORAGE_DRIVERS, 'overlayfs'].filter((d) => kv[`driver.${d}`] === 'yes');
  const imageCounts = Object.entries(kv)
    .filter(([k]) => k.startsWith('images.'))
    .map(([, v]) => parseIntOrUndefined(v));
  const readable = kv.readable === 'yes';
  const df = stdoutOf(s, 'df');
  const dfi = stdoutOf(s, 'dfi');
  return {
    path: kv.path ?? DEFAULT_DOCKER_ROOT,
    exists: kv.exists === 'yes',
    fsType,
    dType: fsSupportsDType(fsType, xfsInfo ? parseXfsFtype(xfsInfo) : undefined),
    driversWithData: drivers,
    // Counts are only known when the (root-only) directory could be listed.
    imageCount: readable ? imageCounts.reduce<number>((a, n) => a + (n ?? 0), 0) : undefined,
    containerCount: readable ? (parseIntOrUndefined(kv.containers) ?? 0) : undefined,
    diskFreePercent: df ? parseDfFreePercent(df) : undefined,
    inodesFreePercent: dfi ? parseDfFreePercent(dfi) : undefined,
  };
}

function parse(out: ProbeOutput): StorageAreaFacts {
  const overlay = sectionOf(out, 'overlay').kv;
  return {
    dockerRoot: parseDockerRoot(sectionOf(out, 'storage')),
    overlay: {
      supported: yes(overlay.supported) ?? false,
      moduleLoaded: yes(overlay.module_loaded) ?? false,
      persisted: yes(overlay.persisted) ?? false,
    },
  };
}

export const storageArea: FactArea<StorageAreaFacts> = { script: 'storage.sh', vars: { DH_STORAGE_DRIVERS: STORAGE_DRIVERS }, parse };
