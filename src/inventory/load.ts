/**
 * `-i` sources: a native inventory (YAML), an Ansible inventory (INI, YAML, `ansible-inventory --list`
 * JSON, or a directory of them with group_vars/ and host_vars/), `-` for one read from stdin, or
 * `ssh:[config]` for the non-wildcard Host aliases of an OpenSSH config. A file's format is told by
 * extension, then content.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { isMap, isScalar, type Document, type LineCounter } from 'yaml';
import { InputError } from '../core/errors.js';
import { readYaml, validateData, yamlLocator, type Locate } from '../data/yaml-schema.js';
import { AnsibleInventoryBuilder, ansibleInventorySchema, ansibleYamlTags } from './ansible.js';
import { inventoryFiles, loadVarsFiles, VAULT_HEADER } from './ansible-dir.js';
import { parseAnsibleIni } from './ansible-ini.js';
import { isAnsibleListJson, parseAnsibleListJson } from './ansible-json.js';
import { parseAnsibleYaml } from './ansible-yaml.js';
import { resolveInventory } from './resolve.js';
import { inventorySchema } from './schema.js';
import { defaultSshConfig, sshAliasEntry, sshConfigAliases } from './ssh-config.js';
import { readStdin, STDIN_NAME } from './stdin.js';
import type { HostEntry } from './types.js';

type AnsibleFormat = 'ansible-ini' | 'ansible-yaml' | 'ansible-json' | 'ansible-dir';
export type InventoryFormat = 'native' | AnsibleFormat | 'ssh-config';

export interface LoadedInventory {
  format: InventoryFormat;
  hosts: HostEntry[];
  /** Things worth telling the user that are not errors (e.g. Ansible variables dockhand ignores). */
  warnings: string[];
}

export function loadInventory(source: string): LoadedInventory {
  if (source === 'ssh:' || source.startsWith('ssh:')) {
    const file = source.slice(4) || defaultSshConfig();
    return { format: 'ssh-config', hosts: sshConfigAliases(file).map((a) => sshAliasEntry(a, file)), warnings: [] };
  }
  if (source === '-') return parseInventory(readStdin(), STDIN_NAME);
  const read = (file: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new InputError(file, `cannot read inventory: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  };
  if (isDirectory(source)) return loadAnsibleDirectory(source, read);
  // group_vars/ and host_vars/ beside a single Ansible inventory file apply too, as in Ansible.
  return parseInventory(read(source), source, dirname(source));
}

/** One inventory's text; `varsDir`: where its group_vars/ and host_vars/ are (none for text alone). */
export function parseInventory(text: string, file: string, varsDir?: string): LoadedInventory {
  const inv = new AnsibleInventoryBuilder(file);
  const parsed = parseSource(text, file, inv);
  if (parsed.format === 'native') {
    const native = validateData(inventorySchema, parsed.data, file, parsed.locate);
    return { format: 'native', hosts: resolveInventory(native, file, parsed.locate), warnings: [] };
  }
  const warnings: string[] = [];
  if (varsDir !== undefined) loadVarsFiles(inv, varsDir, (w) => warnings.push(w));
  return fromAnsible(parsed.format, inv, file, warnings);
}

/** `-i DIR`: every inventory file in it into one inventory, then DIR's group_vars/ and host_vars/. */
function loadAnsibleDirectory(dir: string, read: (file: string) => string): LoadedInventory {
  const inv = new AnsibleInventoryBuilder(dir);
  const warnings: string[] = [];
  const warn = (w: string) => warnings.push(w);
  for (const file of inventoryFiles(dir, warn)) {
    if (parseSource(read(file), file, inv).format === 'native') {
      throw new InputError(file, 'a dockhand inventory inside an Ansible inventory directory', { hint: `pass it on its own: -i ${file}` });
    }
  }
  loadVarsFiles(inv, dir, warn);
  return fromAnsible('ansible-dir', inv, dir, warnings);
}

type Parsed = { format: Exclude<AnsibleFormat, 'ansible-dir'> } | { format: 'native'; data: unknown; locate: Locate };

/** Parse one file into `inv` (Ansible formats), or hand back the document of a native one. */
function parseSource(text: string, file: string, inv: AnsibleInventoryBuilder): Parsed {
  refuseBinary(text, file);
  refuseWhatAnsibleWouldRun(text, file);
  const ext = extname(file).toLowerCase();
  if (ext === '.ini' || ext === '.cfg' || (!['.yaml', '.yml', '.json'].includes(ext) && !looksLikeYamlMapping(text))) {
    parseAnsibleIni(text, file, inv);
    return { format: 'ansible-ini' };
  }
  const { doc, lines, data, locate } = readYaml(text, file, ansibleYamlTags);
  refusePluginConfig(doc, lines, file);
  if (isAnsibleListJson(doc)) {
    parseAnsibleListJson(doc, lines, file, inv);
    return { format: 'ansible-json' };
  }
  if (isAnsibleYaml(doc)) {
    parseAnsibleYaml(doc, lines, file, inv);
    return { format: 'ansible-yaml' };
  }
  return { format: 'native', data, locate };
}

function fromAnsible(format: AnsibleFormat, built: AnsibleInventoryBuilder, file: string, warnings: string[]): LoadedInventory {
  const valid = validateData(ansibleInventorySchema, built.result(), file, built.locate);
  const hosts = resolveInventory(valid, file, built.locate, built.layers(valid));
  return { format, hosts, warnings: [...built.warnings, ...warnings] };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // reading it says why
  }
}

const LIST_HINT = (file: string) => `turn it into JSON first: ansible-inventory -i ${file} --list | dockhand … -i -`;

/** Inventory scripts, TOML and vault-encrypted inventories: Ansible runs or decrypts them, dockhand does not. */
function refuseWhatAnsibleWouldRun(text: string, file: string): void {
  if (text.startsWith('#!')) throw new InputError(file, 'an inventory script: dockhand does not run inventory scripts', { line: 1, hint: LIST_HINT(file) });
  if (text.startsWith(VAULT_HEADER)) {
    throw new InputError(file, 'encrypted with ansible-vault: dockhand does not decrypt', { line: 1, hint: 'keep the inventory itself in plain text and vault only secrets' });
  }
  if (extname(file).toLowerCase() === '.toml') throw new InputError(file, 'a TOML inventory: dockhand reads INI, YAML and JSON inventories', { hint: LIST_HINT(file) });
}

/** `plugin: aws_ec2` and the like configure a dynamic inventory plugin: only Ansible can run it. */
function refusePluginConfig(doc: Document, lines: LineCounter, file: string): void {
  const top = doc.contents;
  if (!isMap(top)) return;
  const pair = top.items.find((p) => isScalar(p.key) && p.key.value === 'plugin' && isScalar(p.value));
  if (!pair) return;
  const plugin = String((pair.value as { value: unknown }).value);
  const { line } = yamlLocator(doc, lines)(['plugin']);
  throw new InputError(file, `configures the inventory plugin '${plugin}': dockhand does not run inventory plugins`, { line, field: 'plugin', hint: LIST_HINT(file) });
}

/**
 * NUL bytes or bytes that are not UTF-8 (read as U+FFFD) mean this is not a text inventory: say so
 * at the first such line instead of parsing it into host names.
 */
function refuseBinary(text: string, file: string): void {
  const at = text.search(/[\u0000\uFFFD]/);
  if (at < 0) return;
  const line = text.slice(0, at).split('\n').length;
  throw new InputError(file, 'not a text inventory: contains NUL or non-UTF-8 bytes', {
    line,
    hint: 'pass a dockhand YAML, Ansible INI/YAML inventory, or ssh:[config]',
  });
}

/** Without a telling extension: INI lines (`[web]`, `host key=value`) are not a YAML mapping. */
function looksLikeYamlMapping(text: string): boolean {
  try {
    const { doc } = readYaml(text, '<probe>');
    return isMap(doc.contents);
  } catch {
    return false;
  }
}

/**
 * Native inventories have a top-level `hosts:` (and maybe `defaults:`, `groups:`); Ansible's have
 * groups at the top (`all:`), each holding only hosts/vars/children.
 */
function isAnsibleYaml(doc: Document): boolean {
  const top = doc.contents;
  if (!isMap(top)) return false;
  const keys = top.items.map((p) => (isScalar(p.key) ? String(p.key.value) : ''));
  if (keys.includes('hosts') && keys.every((k) => ['defaults', 'groups', 'hosts'].includes(k))) return false;
  if (keys.includes('all')) return true;
  return top.items.every((p) => {
    if (!isMap(p.value)) return p.value === null;
    return p.value.items.every((q) => isScalar(q.key) && ['hosts', 'vars', 'children'].includes(String(q.key.value)));
  });
}
