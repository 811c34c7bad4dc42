/**
 * On the containerd image store, images live in containerd's root (`root = …` at the top of
 * /etc/containerd/config.toml; /var/lib/containerd by default), not in dockerd's data root: a data
 * root move moves containerd's root too, to `<data-root>/system-containerd`. This is the edit of
 * config.toml: the top-level `root` key set (replaced, or added before the first table), every other
 * line kept as it is. Not a TOML library: dockhand edits one line and must keep the user's comments
 * and layout, so it reads only as much as it needs, and refuses a file where that is not certain (a
 * multi-line string or array, a line it cannot read, `root` inside a table). Pure.
 */

import type { Facts } from '../facts/types.js';

export { CONTAINERD_CONFIG_PATH as CONTAINERD_CONFIG } from '../facts/data-root-target.js';
export const CONTAINERD_DEFAULT_ROOT = '/var/lib/containerd';

/**
 * Where containerd's root goes when the data root moves: inside it, on the disk the user chose for
 * Docker's data. Not `<data-root>/containerd`: that is where dockerd keeps a containerd it runs
 * itself (`containerd/daemon`), and the two must never meet.
 */
export const containerdRootFor = (dataRoot: string) => `${dataRoot}/system-containerd`;

/**
 * dockerd talks to the system containerd (`--containerd=…` on its command line, as Debian's docker.io
 * and docker-ce start it): its root is containerd's own. Without the flag dockerd runs a containerd
 * of its own under <data-root>/containerd/daemon, which moves with the data root anyway.
 */
export function usesSystemContainerd(facts: Facts): boolean {
  const argv = [...(facts.daemonUnit?.execStart.flat() ?? []), ...(facts.dockerd?.cmdline?.split(/\s+/) ?? [])];
  return argv.some((w) => w === '--containerd' || w.startsWith('--containerd='));
}

export type ContainerdRootEdit =
  | { ok: true; content: string; from: string; changed: boolean; mentionsOldRoot: number[] }
  | { ok: false; problem: string; line?: number };

const KEY_VALUE = /^("[^"\\]*"|'[^']*'|[A-Za-z0-9_-]+(?:\s*\.\s*(?:"[^"\\]*"|[A-Za-z0-9_-]+))*)\s*=\s*(.*)$/;
const TABLE = /^\[\[?\s*[^\][]+\]\]?\s*(?:#.*)?$/;
const BASIC_STRING = /^"([^"\\]*)"\s*(?:#.*)?$/;
const LITERAL_STRING = /^'([^']*)'\s*(?:#.*)?$/;
/** A value that ends on its line: a string, a number, a boolean, an inline array/table closed on the line. */
const ONE_LINE_VALUE = /^(?:"[^"\\]*(?:\\.[^"\\]*)*"|'[^']*'|[-+0-9A-Za-z_.:]+|\[.*\]|\{.*\})\s*(?:#.*)?$/;

const unquote = (key: string) => key.replace(/^["']|["']$/g, '');

/** The file with `root = "<root>"` at the top level. `content` undefined: there is no file. */
export function setContainerdRoot(content: string | undefined, root: string): ContainerdRootEdit {
  const line = `root = ${JSON.stringify(root)}`;
  if (content === undefined || content.trim() === '') {
    return { ok: true, content: `# containerd's root: set by dockhand (--data-root --move-data-root)\n${line}\n`, from: CONTAINERD_DEFAULT_ROOT, changed: true, mentionsOldRoot: [] };
  }
  const lines = content.split('\n');
  let table: string | undefined;
  let rootAt: number | undefined;
  let from = CONTAINERD_DEFAULT_ROOT;
  let firstTable: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.trim();
    if (text === '' || text.startsWith('#')) continue;
    if (text.includes('"""') || text.includes("'''")) return { ok: false, problem: 'a multi-line string', line: i + 1 };
    if (text.startsWith('[')) {
      if (!TABLE.test(text)) return { ok: false, problem: 'a table header dockhand cannot read', line: i + 1 };
      table = text.replace(/\s*#.*$/, '');
      firstTable ??= i;
      continue;
    }
    const kv = KEY_VALUE.exec(text);
    if (!kv) return { ok: false, problem: 'a line that is not key = value (a value continued over lines?)', line: i + 1 };
    const value = kv[2]!;
    if (!ONE_LINE_VALUE.test(value)) return { ok: false, problem: 'a value continued over lines', line: i + 1 };
    if (unquote(kv[1]!) !== 'root') continue;
    if (table !== undefined) return { ok: false, problem: `root inside the table ${table} (only the top-level root is containerd's)`, line: i + 1 };
    const str = BASIC_STRING.exec(value) ?? LITERAL_STRING.exec(value);
    if (!str) return { ok: false, problem: 'root is not a plain string', line: i + 1 };
    if (rootAt !== undefined) return { ok: false, problem: 'root set twice', line: i + 1 };
    rootAt = i;
    from = str[1]!;
  }
  const mentionsOldRoot = lines.flatMap((l, i) => (i !== rootAt && !l.trim().startsWith('#') && (l.includes(`"${from}/`) || l.includes(`'${from}/`)) ? [i + 1] : []));
  if (from === root) return { ok: true, content, from, changed: false, mentionsOldRoot };
  const out = [...lines];
  if (rootAt !== undefined) out[rootAt] = line;
  else if (firstTable !== undefined) out.splice(firstTable, 0, line, '');
  else out.splice(out[out.length - 1] === '' ? out.length - 1 : out.length, 0, line);
  return { ok: true, content: out.join('\n'), from, changed: true, mentionsOldRoot };
}
