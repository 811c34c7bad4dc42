/**
 * `-i` sources: a native inventory (YAML), an Ansible inventory (INI or YAML), or `ssh:[config]`
 * for the non-wildcard Host aliases of an OpenSSH config. The format is told by extension, then content.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { isMap, isScalar, type Document } from 'yaml';
import { InputError } from '../core/errors.js';
import type { AnsibleInventoryBuilder } from './ansible.js';
import { parseAnsibleIni } from './ansible-ini.js';
import { parseAnsibleYaml } from './ansible-yaml.js';
import { resolveInventory } from './resolve.js';
import { connectionShape, groupSchema, hostSchema, inventorySchema, playbookVarsShape } from './schema.js';
import { defaultSshConfig, sshAliasEntry, sshConfigAliases } from './ssh-config.js';
import type { HostEntry } from './types.js';
import { parseYamlDocument, validateInventory, yamlLocator } from './validate.js';

export type InventoryFormat = 'native' | 'ansible-ini' | 'ansible-yaml' | 'ssh-config';

export interface LoadedInventory {
  format: InventoryFormat;
  hosts: HostEntry[];
  /** Things worth telling the user that are not errors (e.g. Ansible variables dockhand ignores). */
  warnings: string[];
}

const knownFields = [
  ...Object.keys(inventorySchema.shape),
  ...Object.keys(hostSchema.shape),
  ...Object.keys(groupSchema.shape),
  ...Object.keys(connectionShape),
  ...Object.keys(playbookVarsShape),
];

export function loadInventory(source: string): LoadedInventory {
  if (source === 'ssh:' || source.startsWith('ssh:')) {
    const file = source.slice(4) || defaultSshConfig();
    return { format: 'ssh-config', hosts: sshConfigAliases(file).map((a) => sshAliasEntry(a, file)), warnings: [] };
  }
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (err) {
    throw new InputError(source, `cannot read inventory: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseInventory(text, source);
}

export function parseInventory(text: string, file: string): LoadedInventory {
  refuseBinary(text, file);
  const ext = extname(file).toLowerCase();
  if (ext === '.ini' || ext === '.cfg' || (!['.yaml', '.yml', '.json'].includes(ext) && !looksLikeYamlMapping(text))) {
    return fromAnsible('ansible-ini', parseAnsibleIni(text, file), file);
  }
  const { doc, lines } = parseYamlDocument(text, file);
  if (isAnsibleYaml(doc)) return fromAnsible('ansible-yaml', parseAnsibleYaml(doc, lines, file), file);
  const locate = yamlLocator(doc, lines);
  const native = validateInventory(inventorySchema, doc.toJS(), file, locate, knownFields);
  return { format: 'native', hosts: resolveInventory(native, file, locate), warnings: [] };
}

function fromAnsible(format: InventoryFormat, built: AnsibleInventoryBuilder, file: string): LoadedInventory {
  const native = validateInventory(inventorySchema, built.result(), file, built.locate, knownFields);
  return { format, hosts: resolveInventory(native, file, built.locate), warnings: built.warnings };
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
    const { doc } = parseYamlDocument(text, '<probe>');
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
