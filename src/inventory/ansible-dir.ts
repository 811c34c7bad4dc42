/**
 * Ansible inventory directories and the variable files beside an inventory, read as ansible-core
 * reads them (inventory/manager.py, plugins/vars/host_group_vars.py, parsing/dataloader.py):
 *  - `-i DIR`: every file in DIR and its subdirectories, sorted by name, except hidden ones,
 *    `group_vars`, `host_vars`, `vars_plugins`, and the extensions Ansible ignores there
 *    (INVENTORY_IGNORE_EXTS — `.ini` among them);
 *  - `group_vars/NAME` and `host_vars/NAME` beside the inventory (in DIR, or the file's directory):
 *    the first of `NAME`, `NAME.yml`, `NAME.yaml`, `NAME.json` that exists; a directory is read
 *    whole (sorted, recursively; hidden files, `~` backups and other extensions skipped), later files
 *    replacing earlier files' variables.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, type Stats } from 'node:fs';
import { extname, join } from 'node:path';
import { isMap } from 'yaml';
import { InputError } from '../core/errors.js';
import { ansibleYamlTags, type AnsibleInventoryBuilder } from './ansible.js';
import { readYaml, yamlLocator } from '../data/yaml-schema.js';

/** ansible-core's REJECT_EXTS + ('.orig', '.ini', '.cfg', '.retry'), matched at the end of a name. */
const IGNORED_ENDINGS = ['.pyc', '.pyo', '.swp', '.bak', '~', '.rpm', '.md', '.txt', '.rst', '.orig', '.ini', '.cfg', '.retry'];
const IGNORED_NAMES = new Set(['group_vars', 'host_vars', 'vars_plugins']);
const VARS_EXTENSIONS = ['.yml', '.yaml', '.json'];
export const VAULT_HEADER = '$ANSIBLE_VAULT;';

/** The inventory files of a directory, in the order Ansible reads them. */
export function inventoryFiles(dir: string, warn: (message: string) => void, seen = new Set<string>()): string[] {
  // A symlink back up the tree would recurse for ever: each real directory is read once.
  const real = realpathSync(dir);
  if (seen.has(real)) return [];
  seen.add(real);
  const files: string[] = [];
  for (const name of listDirectory(dir)) {
    if (name.startsWith('.') || IGNORED_NAMES.has(name)) continue;
    const path = join(dir, name);
    if (IGNORED_ENDINGS.some((end) => name.endsWith(end))) {
      // Ansible skips these without a word; an `hosts.ini` skipped is worth knowing about.
      if (name.endsWith('.ini')) warn(`${path}: not read: Ansible ignores *.ini files inside an inventory directory (pass it as -i ${path}, or rename it)`);
      continue;
    }
    if (stat(path).isDirectory()) files.push(...inventoryFiles(path, warn, seen));
    else files.push(path);
  }
  return files;
}

/** The files group_vars/NAME or host_vars/NAME stands for (see the header). */
export function varsFiles(dir: string, name: string): string[] {
  // Ansible joins the name into a path; a name that is a path is not a vars file of ours to read.
  if (name.includes('/') || name === '.' || name === '..' || !existsSync(dir)) return [];
  for (const ext of ['', ...VARS_EXTENSIONS]) {
    const path = join(dir, name + ext);
    if (!existsSync(path)) continue;
    return stat(path).isDirectory() ? dirVarsFiles(path, new Set()) : [path];
  }
  return [];
}

function dirVarsFiles(dir: string, seen: Set<string>): string[] {
  const real = realpathSync(dir);
  if (seen.has(real)) return [];
  seen.add(real);
  return listDirectory(dir).flatMap((name) => {
    if (name.startsWith('.') || name.endsWith('~')) return [];
    const path = join(dir, name);
    const ext = extname(name);
    const info = stat(path);
    if (info.isDirectory()) return ext === '' ? dirVarsFiles(path, seen) : [];
    return info.isFile() && (ext === '' || VARS_EXTENSIONS.includes(ext)) ? [path] : [];
  });
}

/** Sorted by name, as Ansible lists them; an unreadable directory is an input error. */
function listDirectory(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (err) {
    throw new InputError(dir, `cannot read directory: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** A broken symlink or a file gone meanwhile is bad input, named, not a crash. */
function stat(path: string): Stats {
  try {
    return statSync(path);
  } catch (err) {
    throw new InputError(path, `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/**
 * group_vars/ and host_vars/ in `baseDir`, for every group (`all` and `ungrouped` too) and host the
 * inventory has. A file encrypted whole with ansible-vault is left unread, with a warning: it usually
 * holds secrets dockhand has no use for, and its variables cannot be read without the vault password.
 */
export function loadVarsFiles(inv: AnsibleInventoryBuilder, baseDir: string, warn: (message: string) => void): void {
  const groupDir = join(baseDir, 'group_vars');
  const hostDir = join(baseDir, 'host_vars');
  for (const group of ['all', 'ungrouped', ...Object.keys(inv.groups)]) {
    for (const file of varsFiles(groupDir, group)) readVarsFile(inv, file, warn, (key, value, at) => inv.setGroupFileVar(group, key, value, at));
  }
  for (const host of Object.keys(inv.hosts)) {
    for (const file of varsFiles(hostDir, host)) readVarsFile(inv, file, warn, (key, value, at) => inv.setHostFileVar(host, key, value, at));
  }
}

type SetVar = (key: string, value: unknown, at: { line?: number; column?: number }) => void;

function readVarsFile(inv: AnsibleInventoryBuilder, file: string, warn: (message: string) => void, set: SetVar): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(file, `cannot read variables file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (text.startsWith(VAULT_HEADER)) {
    warn(`${file}: not read: encrypted with ansible-vault (dockhand does not decrypt; keep the variables it needs, such as ansible_user, in plain text)`);
    return;
  }
  if (/[\u0000\uFFFD]/.test(text)) throw new InputError(file, 'not a text variables file: contains NUL or non-UTF-8 bytes');
  const { doc, lines } = readYaml(text, file, ansibleYamlTags);
  if (doc.contents === null || (doc.contents as { value?: unknown }).value === null) return; // an empty file
  if (!isMap(doc.contents)) throw new InputError(file, 'the file must be a map of variable names to values', { line: 1 });
  const locate = yamlLocator(doc, lines);
  inv.file = file;
  for (const [key, value] of Object.entries(doc.toJS() as Record<string, unknown>)) set(key, value, locate([key]));
}
