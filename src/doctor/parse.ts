/**
 * Pure parser for the doctor probe's records (probes/doctor.sh, section `doctor` of the framed
 * output, src/probe/framing.ts) → ClientEvidence.
 */
import type { FileContent, PathStat } from '../facts/types.js';
import { ExitCode } from '../core/errors.js';
import { daemonUnitProperties } from '../facts/areas/daemon.js';
import { linesOf, sectionOf, splitProbeOutput, type ProbeOutput } from '../probe/framing.js';
import type { ClientEvidence, DockerEnv, SocketStat } from './evidence.js';
import { parseRootlessEvidence } from './rootless.js';
import { DOCTOR_SECTION } from './script.js';

export interface DoctorOutput {
  evidence: ClientEvidence;
  /** The script reached its end marker. */
  complete: boolean;
}

/** st_mode's file type bits → PathStat type. */
export function fileTypeOf(mode: number): PathStat['type'] {
  switch (mode & 0o170000) {
    case 0o140000:
      return 'socket';
    case 0o040000:
      return 'directory';
    case 0o100000:
      return 'file';
    case 0o120000:
      return 'symlink';
    default:
      return 'other';
  }
}

/** '' or missing → NaN (an unknown user), never 0 (root). */
const toNumber = (s: string | undefined) => (s === undefined || !/^\d+$/.test(s) ? NaN : Number(s));
const words = (s: string | undefined) => (s ?? '').split(/\s+/).filter(Boolean);

/** `stat -L -c '%f %U %G %u %g'` of `path`; anything else (names with blanks included) is not evidence. */
function parseStat(path: string, value: string): PathStat {
  if (value === 'missing') return { path, exists: false };
  const m = /^([0-9a-f]{1,8}) (\S+) (\S+) (\d+) (\d+)$/.exec(value);
  if (!m) return { path, exists: true };
  const raw = parseInt(m[1]!, 16);
  return { path, exists: true, type: fileTypeOf(raw), owner: m[2], group: m[3], uid: Number(m[4]), gid: Number(m[5]), mode: raw & 0o7777 };
}

/** Parse the framed output of the examination script (facts + doctor). */
export function parseDoctorOutput(text: string, host = 'host'): DoctorOutput {
  return doctorFromProbe(splitProbeOutput(text, host, ExitCode.couldNotCheck));
}

/**
 * docker.service's first ExecStart= value as systemd prints it (`{ path=… ; argv[]=… ; … }`), from
 * the facts' `systemctl show` (section daemon_unit): the doctor's checks match flags in the raw
 * text. Absent without systemd, or when the unit has none.
 */
function execStartOf(out: ProbeOutput): string | undefined {
  return daemonUnitProperties(out).ExecStart?.split('\n')[0] || undefined;
}

export function doctorFromProbe(out: ProbeOutput): DoctorOutput {
  const s = sectionOf(out, DOCTOR_SECTION);
  const kv = s.kv;
  const stats = new Map<string, PathStat>();
  const links: Record<string, string> = {};
  const blocks: Record<string, string> = {};
  for (const [key, value] of Object.entries(kv)) {
    if (key.startsWith('stat ')) stats.set(key.slice(5), parseStat(key.slice(5), value));
    else if (key.startsWith('link ')) links[key.slice(5)] = value;
    else if (key.startsWith('block ')) blocks[key.slice(6)] = value;
  }
  const env: DockerEnv = {};
  for (const [k, v] of Object.entries(kv)) if (k.startsWith('env.')) (env as Record<string, string>)[k.slice(4)] = v;
  const file = (label: string, fallbackPath = ''): FileContent => {
    const path = blocks[label];
    const f = path !== undefined ? s.files[path] : undefined;
    return f ? { path: f.path, exists: f.exists, content: f.content } : { path: path ?? fallbackPath, exists: false };
  };
  const contextMeta: Record<string, string> = {};
  for (const label of Object.keys(blocks)) {
    const content = label.startsWith('ctx:') ? file(label).content : undefined;
    if (content !== undefined) contextMeta[label.slice(4)] = content;
  }
  const configDir = kv.config_dir ?? '';
  const configPath = `${configDir}/config.json`;
  const statOf = (p: string): PathStat => stats.get(p) ?? { path: p, exists: false };
  const sessionGroups = kv.session_groups === undefined ? undefined : words(kv.session_groups);
  const sockets: SocketStat[] = [...stats.values()]
    .filter((st) => st.path !== configDir && st.path !== configPath)
    .map((st) => (links[st.path] !== undefined ? { ...st, linkTarget: links[st.path] } : st));

  const evidence: ClientEvidence = {
    user: {
      name: kv.user ?? '',
      uid: toNumber(kv.uid),
      gid: toNumber(kv.gid),
      home: kv.home ?? '',
      databaseGroups: words(kv.db_groups),
      sessionGroups,
    },
    env,
    envExports: linesOf(s, 'exports'),
    configDir: statOf(configDir),
    configJson: { ...file('config.json', configPath), owner: stats.get(configPath)?.owner },
    contextMeta,
    sockets,
    snap: { docker: kv.snap_docker === 'yes', daemonJson: blocks['snap-daemon.json'] !== undefined ? file('snap-daemon.json') : undefined },
    podman: { binary: kv.podman, dockerIsPodman: kv.docker_is_podman === 'yes' },
    journal: { docker: linesOf(s, 'journal-docker'), socket: linesOf(s, 'journal-socket'), containerd: linesOf(s, 'journal-containerd') },
    execStart: execStartOf(out),
    // No stream: ss was not there, so the listeners are unknown (not "none").
    tcpListeners: s.commands['tcp-listeners'] ? linesOf(s, 'tcp-listeners') : undefined,
    jobs: s.commands['systemd-jobs'] ? linesOf(s, 'systemd-jobs') : undefined,
    containerd: /^\d+$/.test(kv.containerd_pid ?? '') ? { pid: Number(kv.containerd_pid) } : undefined,
    aptErrors: s.commands['apt-errors'] ? linesOf(s, 'apt-errors') : undefined,
    mac: {
      selinux: kv.selinux || undefined,
      socketLabel: kv.socket_label || undefined,
      apparmor: kv.apparmor || undefined,
      denials: kv.mac_source && s.commands['mac-denials'] ? { source: kv.mac_source, lines: linesOf(s, 'mac-denials') } : undefined,
    },
    kernel: {
      cgroup: kv.cgroup === '2' ? 2 : kv.cgroup === '1' ? 1 : undefined,
      ipForward: kv.ip_forward === '1' ? true : kv.ip_forward === '0' ? false : undefined,
      iptables: kv.iptables || undefined,
      iptablesVersion: linesOf(s, 'iptables-version')[0],
      natStatus: /^\d+$/.test(kv.iptables_nat ?? '') ? Number(kv.iptables_nat) : undefined,
    },
    rootless: parseRootlessEvidence(out, kv.user ?? '', toNumber(kv.uid)),
  };
  return { evidence, complete: out.complete };
}
