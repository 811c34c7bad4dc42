/**
 * Ansible's YAML inventory: top-level groups (usually `all`), each with `hosts` (name → variables),
 * `vars` and `children` (name → group, recursively).
 */
import { isMap, type Document, type LineCounter } from 'yaml';
import { InputError } from '../core/errors.js';
import { ANSIBLE_GROUP_KEYS, AnsibleInventoryBuilder, unknownGroupKey } from './ansible.js';
import { addHostPattern } from './ansible-ini.js';
import { fieldPath, yamlLocator } from '../data/yaml-schema.js';

type Json = Record<string, unknown>;

export function parseAnsibleYaml(doc: Document, lines: LineCounter, file: string, inv = new AnsibleInventoryBuilder(file)): AnsibleInventoryBuilder {
  inv.file = file;
  const locate = yamlLocator(doc, lines);
  const data = doc.toJS() as unknown;
  const expectMap = (value: unknown, path: string[]): Json => {
    if (value === null || value === undefined) return {};
    if (typeof value === 'object' && !Array.isArray(value)) return value as Json;
    const where = locate(path);
    throw new InputError(file, 'must be a map (`key: value` lines)', { ...where, field: fieldPath(path) });
  };

  const visitGroup = (name: string, body: unknown, path: string[]): void => {
    const group = expectMap(body, path);
    inv.addGroup(name, locate(path));
    for (const key of Object.keys(group)) {
      if (!ANSIBLE_GROUP_KEYS.includes(key)) {
        throw new InputError(file, unknownGroupKey(key), { ...locate([...path, key]), field: fieldPath([...path, key]) });
      }
    }
    for (const [pattern, vars] of Object.entries(expectMap(group.hosts, [...path, 'hosts']))) {
      const hostPath = [...path, 'hosts', pattern];
      // As Ansible's YAML plugin: `web[01:03]` and `db:2222` are patterns, as in INI.
      for (const host of addHostPattern(inv, name, pattern, locate(hostPath), file)) {
        for (const [key, value] of Object.entries(expectMap(vars, hostPath))) {
          inv.setHostVar(host, key, value, locate([...hostPath, key]));
        }
      }
    }
    for (const [key, value] of Object.entries(expectMap(group.vars, [...path, 'vars']))) {
      inv.setGroupVar(name, key, value, locate([...path, 'vars', key]));
    }
    for (const [child, childBody] of Object.entries(expectMap(group.children, [...path, 'children']))) {
      inv.addChild(name, child, locate([...path, 'children', child]));
      visitGroup(child, childBody, [...path, 'children', child]);
    }
  };

  if (!isMap(doc.contents)) throw new InputError(file, 'the file must be a map of groups (e.g. `all:`)', { line: 1 });
  for (const [name, body] of Object.entries(expectMap(data, []))) visitGroup(name, body, [name]);
  return inv;
}
