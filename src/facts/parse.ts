/**
 * Turns the probe's output (probes/facts.sh) into typed Facts. Everything here is pure: the
 * framing is split first (src/probe/framing.ts), then small parsers read one tool's output each. A missing section or
 * command yields `undefined` (could not tell), never an exception.
 */
import { sectionOf, splitProbeOutput, stdoutOf, type ProbeOutput, type ProbeSection } from '../probe/framing.js';
import { armouredKeyFingerprints } from './openpgp.js';
import { parseOsRelease } from './os-release.js';
import { APT_KEYRING, DEFAULT_DOCKER_ROOT, DEFAULT_DOCKER_SOCKET, DPKG_PACKAGES, LOCK_FILES, OTHER_PACKAGES, PID_LOCK_FILES, RPM_KEY, RPM_PACKAGES, RPM_REPO, STORAGE_DRIVERS, UNITS } from './probe.js';
import type {
  DockerRootFacts,
  Facts,
  FileContent,
  GroupFacts,
  InitFacts,
  InitSystem,
  KeyFileFacts,
  LockHolder,
  PackageManager,
  PathStat,
  UnitState,
} from './types.js';

// ---------------------------------------------------------------------------------------------
// Small parsers, one per tool output

const yes = (v: string | undefined): boolean | undefined => (v === 'yes' ? true : v === 'no' ? false : undefined);
const nonEmpty = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

export function parseIntOrUndefined(v: string | undefined): number | undefined {
  if (v === undefined || !/^\s*-?\d+\s*$/.test(v)) return undefined;
  return Number.parseInt(v, 10);
}

/** `6.8.0-45-generic` → {6, 8}; unknown parts become 0. */
export function parseKernelRelease(release: string): { release: string; major: number; minor: number } {
  const m = /^(\d+)\.(\d+)/.exec(release.trim());
  return { release: release.trim(), major: m ? Number(m[1]) : 0, minor: m ? Number(m[2]) : 0 };
}

/** `systemctl show -p …` for several units: blocks separated by blank lines, each with `Id=`. */
export function parseSystemctlShow(text: string): Record<string, UnitState> {
  const units: Record<string, UnitState> = {};
  for (const block of text.split(/\n\s*\n/)) {
    const props: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) props[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    }
    const name = props.Id;
    if (!name) continue;
    const mainPid = parseIntOrUndefined(props.MainPID);
    units[name] = {
      name,
      loadState: props.LoadState ?? 'unknown',
      activeState: props.ActiveState ?? 'unknown',
      subState: nonEmpty(props.SubState),
      unitFileState: props.UnitFileState,
      result: nonEmpty(props.Result),
      mainPid: mainPid ? mainPid : undefined,
    };
  }
  return units;
}

/** `stat -c '%u|%g|%a|%U|%G'` → ids, names and permission bits. */
export function parseStatLine(line: string): Pick<PathStat, 'uid' | 'gid' | 'mode' | 'owner' | 'group'> {
  const [uid, gid, mode, owner, group] = line.trim().split('|');
  const named = (n: string | undefined) => (n && n !== 'UNKNOWN' ? n : undefined);
  return {
    uid: parseIntOrUndefined(uid),
    gid: parseIntOrUndefined(gid),
    mode: mode && /^[0-7]+$/.test(mode) ? Number.parseInt(mode, 8) : undefined,
    owner: named(owner),
    group: named(group),
  };
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

/** `id -G` → numbers; `id -Gn` → names (both space-separated). */
export function parseIdList(text: string | undefined): string[] {
  return (text ?? '').trim().split(/\s+/).filter(Boolean);
}

/** One group(5) line: `name:x:gid:member,member`. */
export function parseGroupLine(line: string): { name: string; gid?: number; members: string[] } | undefined {
  const parts = line.trim().split(':');
  if (parts.length < 3 || !parts[0]) return undefined;
  return {
    name: parts[0],
    gid: parseIntOrUndefined(parts[2]),
    members: (parts[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean),
  };
}

/** `cloud-init status` → `done`, `running`, `error`, `disabled`, `degraded done`… (first line's value). */
export function parseCloudInitStatus(text: string): string | undefined {
  const m = /^\s*status:\s*(.+?)\s*$/m.exec(text);
  return m ? m[1] : undefined;
}

/** `dnf --version`: dnf5 says "dnf5 version 5.x"; dnf 4 prints a bare "4.x.y" first. */
export function parseDnfVersion(text: string): 'dnf5' | 'dnf4' | undefined {
  if (/^dnf5 version/m.test(text) || /^\s*5\.\d+/.test(text)) return 'dnf5';
  if (/^\s*4\.\d+/.test(text)) return 'dnf4';
  return undefined;
}

/** First x.y[.z] in a `--version` line: `Docker version 27.3.1, build …` → 27.3.1; `v2.0.0` → 2.0.0. */
export function parseToolVersion(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const m = /(?:^|[\s,])v?(\d+\.\d+(?:\.\d+)?)/.exec(text);
  return m ? m[1] : undefined;
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

/**
 * /proc/locks: `1: POSIX  ADVISORY  WRITE 1234 08:01:131090 0 EOF`. Lines with `->` are processes
 * waiting for a lock, not holding it; OFD locks show pid -1 (no owner process to name).
 */
export function parseProcLocks(text: string): Array<{ pid: number; inode: number }> {
  const out: Array<{ pid: number; inode: number }> = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[1] === '->') continue;
    const pid = parseIntOrUndefined(f[4]);
    const inode = parseIntOrUndefined(f[5]?.split(':')[2]);
    if (pid !== undefined && inode !== undefined && pid > 0) out.push({ pid, inode });
  }
  return out;
}

/** Which init runs the host: systemd as sd_booted() decides it; OpenRC by its run dir; else sysvinit/none. */
export function detectInitSystem(kv: Record<string, string>): InitSystem {
  const pid1 = nonEmpty(kv.pid1);
  if (kv.systemd_booted === 'yes') return 'systemd';
  if (pid1 === 'systemd') return 'systemd';
  if (pid1 === 'openrc-init' || kv.openrc === 'yes') return 'openrc';
  // WSL's own PID 1 is also called `init` but runs no init scripts.
  if (pid1 === 'init' && kv.wsl === 'yes') return 'none';
  if (pid1 === 'init' || pid1 === 'runit' || pid1 === 'runit-init') return 'sysvinit';
  return 'none';
}

/** Container type from the strongest signal available. */
export function detectContainer(kv: Record<string, string>): string | undefined {
  const virt = nonEmpty(kv.detect_virt);
  if (virt && virt !== 'none') return virt;
  const fromSystemd = nonEmpty(kv.systemd_container) ?? nonEmpty(kv.pid1_container);
  if (fromSystemd) return fromSystemd;
  if (kv.containerenv === 'yes') return 'podman';
  if (kv.dockerenv === 'yes') return 'docker';
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

// ---------------------------------------------------------------------------------------------
// Assembly

function parseInit(kv: Record<string, string>): InitFacts {
  return {
    system: detectInitSystem(kv),
    pid1: nonEmpty(kv.pid1),
    hasServiceCommand: kv.service_cmd === 'yes' || kv.rc_service_cmd === 'yes',
    wsl: kv.wsl === 'yes',
    container: detectContainer(kv),
  };
}

function parsePackages(s: ProbeSection): Record<string, string> {
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

function pick<T>(all: Record<string, T>, names: readonly string[]): Record<string, T> {
  return Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)));
}

function parseDockerGroup(s: ProbeSection): GroupFacts {
  const line = stdoutOf(s, 'group')?.split('\n').find((l) => l.startsWith('docker:'));
  const group = line ? parseGroupLine(line) : undefined;
  return group ? { exists: true, gid: group.gid, members: group.members } : { exists: false, members: [] };
}

function parseSocket(kv: Record<string, string>): PathStat {
  const path = kv.path ?? DEFAULT_DOCKER_SOCKET;
  const type = kv.type;
  if (!type || type === 'none') return { path, exists: false };
  const known = ['socket', 'directory', 'file', 'symlink', 'other'] as const;
  return {
    path,
    exists: true,
    type: (known as readonly string[]).includes(type) ? (type as PathStat['type']) : 'other',
    ...(kv.stat ? parseStatLine(kv.stat) : {}),
  };
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

function parseLocks(s: ProbeSection): LockHolder[] {
  const kv = s.kv;
  const held = parseProcLocks(s.files['/proc/locks']?.content ?? '');
  const holders: LockHolder[] = [];
  for (const path of LOCK_FILES) {
    const inode = parseIntOrUndefined(kv[`inode ${path}`]);
    if (inode === undefined) continue;
    const pids = new Set(held.filter((l) => l.inode === inode).map((l) => l.pid));
    for (const pid of pids) holders.push({ path, pid, command: nonEmpty(kv[`comm ${pid}`]) });
  }
  for (const path of PID_LOCK_FILES) {
    const content = kv[`pidfile ${path}`];
    if (content === undefined) continue;
    const pid = parseIntOrUndefined(content);
    holders.push({ path, pid, command: pid !== undefined ? nonEmpty(kv[`comm ${pid}`]) : undefined });
  }
  return holders;
}

/** A key file as the probe emitted it → which keys it holds (undefined: not gathered). */
export function keyFileFacts(file: FileContent | undefined): KeyFileFacts | undefined {
  if (!file) return undefined;
  if (!file.exists) return { path: file.path, exists: false };
  return { path: file.path, exists: true, fingerprints: file.content !== undefined ? armouredKeyFingerprints(file.content) : undefined };
}

function parseAptSources(s: ProbeSection): Facts['aptSources'] {
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

function parseRpmRepo(s: ProbeSection): Facts['rpmRepo'] {
  const file = s.files[RPM_REPO];
  const key = keyFileFacts(s.files[RPM_KEY]);
  return file && key ? { file, key } : undefined;
}

/** OpenRC runlevel membership: `enabled_NAME=yes|no`, absent when NAME has no init script. */
export function parseServiceEnabled(kv: Record<string, string>): Facts['serviceEnabled'] {
  const docker = yes(kv.enabled_docker);
  const containerd = yes(kv.enabled_containerd);
  if (docker === undefined && containerd === undefined) return undefined;
  return { ...(docker !== undefined ? { docker } : {}), ...(containerd !== undefined ? { containerd } : {}) };
}

/** `foreign PID=UID` records: processes named dockerd run by someone other than root. */
function foreignDockerd(kv: Record<string, string>): Pick<Facts, 'foreignDockerd'> {
  const list = Object.entries(kv).flatMap(([k, v]) => {
    const m = /^foreign (\d+)$/.exec(k);
    const uid = parseIntOrUndefined(v);
    return m && uid !== undefined ? [{ pid: Number(m[1]), uid }] : [];
  });
  return list.length ? { foreignDockerd: list } : {};
}

/** /proc/PID/cmdline (NUL-separated argv) as one line of words. */
const argvLine = (raw: string | undefined) => (raw ?? '').split('\0').join(' ').trim();

/** Build typed Facts from the probe's full output (throws ProbeTamperError on a broken frame). */
export function parseProbeOutput(host: string, text: string): Facts {
  return factsFromProbe(host, splitProbeOutput(text, host));
}

/** Build typed Facts from the probe's split output (the doctor splits once and reads both). */
export function factsFromProbe(host: string, out: ProbeOutput): Facts {
  const osSection = sectionOf(out, 'os');
  const osFile = Object.values(osSection.files).find((f) => f.content !== undefined);
  const arch = sectionOf(out, 'arch').kv;
  const pkg = sectionOf(out, 'pkg');
  const priv = sectionOf(out, 'privilege').kv;
  const userSection = sectionOf(out, 'user');
  const user = userSection.kv;
  const units = sectionOf(out, 'units');
  const services = sectionOf(out, 'services').kv;
  const dockerConfig = sectionOf(out, 'docker_config');
  const overlay = sectionOf(out, 'overlay').kv;
  const dockerdSection = sectionOf(out, 'dockerd');
  const dockerd = dockerdSection.kv;
  const binaries = sectionOf(out, 'binaries');
  const cloud = sectionOf(out, 'cloud_init');

  const uid = parseIntOrUndefined(priv.uid ?? user.uid) ?? -1;
  const packageManager = detectPackageManager(pkg.kv, stdoutOf(pkg, 'dnf_version'));
  const showOutput = stdoutOf(units, 'show');
  const dbGroupsCmd = userSection.commands.db_groups;
  const memberOf = (stdoutOf(userSection, 'member_of') ?? '').split('\n').map(parseGroupLine);
  const primaryGroup = nonEmpty(user.group);
  // `id -Gn USER` reads the database; if it is missing, rebuild from the membership lines.
  const databaseGroups =
    dbGroupsCmd && dbGroupsCmd.rc === 0
      ? parseIdList(dbGroupsCmd.stdout)
      : [...new Set([...(primaryGroup ? [primaryGroup] : []), ...memberOf.flatMap((g) => (g ? [g.name] : []))])];
  const serviceCode = (name: 'docker' | 'containerd') => {
    const code = parseIntOrUndefined(services[name]);
    return code === undefined ? undefined : code === 0;
  };
  const dockerdPid = parseIntOrUndefined(dockerd.pid);
  const cloudStatus = stdoutOf(cloud, 'status');
  const packagesSection = sectionOf(out, 'packages');
  const dpkgInterrupted = parseDpkgInterrupted(packagesSection);

  return {
    host,
    os: parseOsRelease(osFile?.content ?? ''),
    arch: {
      machine: arch.machine ?? '',
      package: nonEmpty(arch.dpkg) ?? nonEmpty(arch.rpm) ?? nonEmpty(arch.apk),
    },
    kernel: parseKernelRelease(arch.kernel ?? ''),
    init: parseInit(sectionOf(out, 'init').kv),
    packageManager,
    privilege: {
      uid,
      isRoot: uid === 0,
      sudoInstalled: priv.sudo === 'yes',
      sudoNoPassword: uid === 0 || priv.sudo_n === 'yes',
    },
    user: {
      name: user.name ?? '',
      uid,
      gid: parseIntOrUndefined(user.gid) ?? -1,
      home: nonEmpty(user.home),
      sessionGroups: parseIdList(user.session_groups),
      sessionGids: parseIdList(user.session_gids).map(Number).filter(Number.isInteger),
      databaseGroups,
      sudoUser: nonEmpty(user.sudo_user),
    },
    packages: parsePackages(packagesSection),
    ...(dpkgInterrupted !== undefined ? { dpkgInterrupted } : {}),
    units: showOutput !== undefined ? pick(parseSystemctlShow(showOutput), UNITS) : {},
    serviceRunning:
      services.docker !== undefined || services.containerd !== undefined
        ? { docker: serviceCode('docker'), containerd: serviceCode('containerd') }
        : undefined,
    serviceEnabled: parseServiceEnabled(services),
    dockerGroup: parseDockerGroup(sectionOf(out, 'docker_group')),
    socket: parseSocket(sectionOf(out, 'socket').kv),
    daemonJson: dockerConfig.files['/etc/docker/daemon.json'] ?? { path: '/etc/docker/daemon.json', exists: false },
    dockerRoot: parseDockerRoot(sectionOf(out, 'storage')),
    overlay: {
      supported: yes(overlay.supported) ?? false,
      moduleLoaded: yes(overlay.module_loaded) ?? false,
      persisted: yes(overlay.persisted) ?? false,
    },
    ...foreignDockerd(dockerd),
    dockerd: dockerdPid !== undefined ? { pid: dockerdPid, cmdline: argvLine(stdoutOf(dockerdSection, 'cmdline')) } : undefined,
    versions: {
      engine: parseToolVersion(stdoutOf(binaries, 'dockerd_version')),
      cli: parseToolVersion(stdoutOf(binaries, 'docker_version')),
      containerd: parseToolVersion(stdoutOf(binaries, 'containerd_version')),
    },
    binaries: {
      docker: nonEmpty(binaries.kv.docker),
      dockerd: nonEmpty(binaries.kv.dockerd),
      containerd: nonEmpty(binaries.kv.containerd),
    },
    cloudInit: {
      present: cloud.kv.present === 'yes',
      status: cloudStatus !== undefined ? parseCloudInitStatus(cloudStatus) : undefined,
    },
    locks: parseLocks(sectionOf(out, 'locks')),
    aptSources: parseAptSources(sectionOf(out, 'apt_sources')),
    rpmRepo: parseRpmRepo(sectionOf(out, 'rpm_repo')),
  };
}
