/**
 * Pure parser for the doctor probe's output (src/doctor/script.ts) → ClientEvidence.
 */
import type { FileContent, PathStat } from '../facts/types.js';
import type { ClientEvidence, DockerEnv, SocketStat } from './evidence.js';
import { DOCTOR_BEGIN } from './script.js';

const M = '@@doctor:';

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
const toNumber = (s: string | undefined) => (s === undefined || s.trim() === '' ? NaN : Number(s));
const words = (s: string | undefined) => (s ?? '').split(/\s+/).filter(Boolean);

export function parseDoctorOutput(text: string): DoctorOutput {
  const begin = text.indexOf(DOCTOR_BEGIN);
  const lines = (begin >= 0 ? text.slice(begin + DOCTOR_BEGIN.length) : text).split('\n');
  const kv: Record<string, string> = {};
  const blocks: Record<string, FileContent & { lines: string[] }> = {};
  const stats = new Map<string, PathStat>();
  const links: Record<string, string> = {};
  let complete = false;
  let open: (FileContent & { lines: string[] }) | undefined;

  for (const line of lines) {
    if (open) {
      if (line.startsWith('|')) {
        open.lines.push(line.slice(1));
        continue;
      }
      if (line === `${M}end`) {
        open.content = open.lines.length ? open.lines.join('\n') + '\n' : '';
        open = undefined;
        continue;
      }
      open = undefined; // cut short: keep what we have
    }
    if (!line.startsWith(M)) continue;
    const rest = line.slice(M.length);
    const space = rest.indexOf(' ');
    const tag = space < 0 ? rest : rest.slice(0, space);
    const arg = space < 0 ? '' : rest.slice(space + 1);
    if (tag === 'done') complete = true;
    else if (tag === 'kv') {
      const eq = arg.indexOf('=');
      if (eq > 0) kv[arg.slice(0, eq)] = arg.slice(eq + 1);
    } else if (tag === 'block' || tag === 'block-missing' || tag === 'block-unreadable') {
      const sp = arg.indexOf(' ');
      const label = sp < 0 ? arg : arg.slice(0, sp);
      const path = sp < 0 ? '' : arg.slice(sp + 1);
      const b = { path, exists: tag !== 'block-missing', lines: [] as string[] };
      blocks[label] = b;
      if (tag === 'block') open = b;
    } else if (tag === 'stat') {
      const m = /^([0-9a-f]+) (\S+) (\S+) (\d+) (\d+) (.+)$/.exec(arg);
      if (!m) continue;
      const raw = parseInt(m[1]!, 16);
      stats.set(m[6]!, {
        path: m[6]!,
        exists: true,
        type: fileTypeOf(raw),
        owner: m[2],
        group: m[3],
        uid: Number(m[4]),
        gid: Number(m[5]),
        mode: raw & 0o7777,
      });
    } else if (tag === 'stat-missing') {
      if (!stats.has(arg)) stats.set(arg, { path: arg, exists: false });
    } else if (tag === 'link') {
      const sp = arg.indexOf(' ');
      if (sp > 0) links[arg.slice(0, sp)] = arg.slice(sp + 1);
    }
  }

  const env: DockerEnv = {};
  for (const [k, v] of Object.entries(kv)) if (k.startsWith('env.')) (env as Record<string, string>)[k.slice(4)] = v;
  const contextMeta: Record<string, string> = {};
  for (const [label, b] of Object.entries(blocks)) {
    if (label.startsWith('ctx:') && b.content !== undefined) contextMeta[label.slice(4)] = b.content;
  }
  const configDir = kv.config_dir ?? '';
  const configPath = `${configDir}/config.json`;
  const file = (label: string, fallbackPath = ''): FileContent => {
    const b = blocks[label];
    return b ? { path: b.path, exists: b.exists, content: b.content } : { path: fallbackPath, exists: false };
  };
  const statOf = (p: string): PathStat => stats.get(p) ?? { path: p, exists: false };
  const sessionGroups = kv.session_groups === undefined ? undefined : words(kv.session_groups);
  const sockets: SocketStat[] = [...stats.values()]
    .filter((s) => s.path !== configDir && s.path !== configPath)
    .map((s) => (links[s.path] ? { ...s, linkTarget: links[s.path] } : s));

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
    envExports: blocks.exports?.lines ?? [],
    configDir: statOf(configDir),
    configJson: { ...file('config.json', configPath), owner: stats.get(configPath)?.owner },
    contextMeta,
    sockets,
    snap: { docker: kv.snap_docker === 'yes', daemonJson: blocks['snap-daemon.json'] ? file('snap-daemon.json') : undefined },
    podman: { binary: kv.podman, dockerIsPodman: kv.docker_is_podman === 'yes' },
    journal: { docker: blocks['journal-docker']?.lines ?? [], socket: blocks['journal-socket']?.lines ?? [] },
    execStart: kv.exec_start || undefined,
    tcpListeners: blocks['tcp-listeners']?.lines ?? [],
  };
  return { evidence, complete };
}
