/**
 * `ansible-inventory --list` output (also what inventory scripts print): `_meta.hostvars` (host →
 * variables, group_vars/ already merged in unless `--export`), and groups with `hosts` and `children`
 * as lists and `vars` as a mapping. The bridge from any dynamic inventory (aws_ec2, …):
 *   ansible-inventory -i aws_ec2.yml --list | dockhand up -i -
 */
import { isMap, isSeq, type Document, type LineCounter } from 'yaml';
import { InputError } from '../core/errors.js';
import { ANSIBLE_GROUP_KEYS, AnsibleInventoryBuilder, unknownGroupKey } from './ansible.js';
import { fieldPath, yamlLocator } from '../data/yaml-schema.js';

type Json = Record<string, unknown>;

/** `_meta` at the top, or a group whose hosts or children are a list (the YAML format has mappings there). */
export function isAnsibleListJson(doc: Document): boolean {
  const top = doc.contents;
  if (!isMap(top)) return false;
  return top.items.some((pair) => {
    const key = String((pair.key as { value?: unknown } | null)?.value ?? '');
    if (key === '_meta') return true;
    const body = pair.value;
    if (isSeq(body)) return true;
    return isMap(body) && body.items.some((q) => ['hosts', 'children'].includes(String((q.key as { value?: unknown }).value)) && isSeq(q.value));
  });
}

export function parseAnsibleListJson(doc: Document, lines: LineCounter, file: string, inv = new AnsibleInventoryBuilder(file)): AnsibleInventoryBuilder {
  inv.file = file;
  const locate = yamlLocator(doc, lines);
  const fail = (path: PropertyKey[], detail: string): never => {
    throw new InputError(file, detail, { ...locate(path), field: fieldPath(path) });
  };
  const mapping = (value: unknown, path: string[]): Json => {
    if (value === null || value === undefined) return {};
    if (typeof value === 'object' && !Array.isArray(value)) return value as Json;
    return fail(path, 'must be a map (`key: value` lines)');
  };
  const names = (value: unknown, path: PropertyKey[]): string[] => {
    if (value === null || value === undefined) return [];
    if (!Array.isArray(value)) return fail(path, 'must be a list of names');
    return value.map((item, i) => (typeof item === 'string' && item !== '' ? item : fail([...path, i], 'must be a name')));
  };

  for (const [name, body] of Object.entries(mapping(doc.toJS(), []))) {
    if (name === '_meta') {
      for (const [key] of Object.entries(mapping(body, ['_meta']))) {
        if (key !== 'hostvars') fail(['_meta', key], 'unknown key — `_meta` takes only `hostvars`');
      }
      const hostvars = mapping((body as Json | null)?.hostvars, ['_meta', 'hostvars']);
      for (const [host, vars] of Object.entries(hostvars)) {
        const path = ['_meta', 'hostvars', host];
        inv.addHost(host, locate(path));
        for (const [key, value] of Object.entries(mapping(vars, path))) inv.setHostVar(host, key, value, locate([...path, key]));
      }
      continue;
    }
    // An inventory script may give a group as a bare list of its hosts.
    const group: Json = Array.isArray(body) ? { hosts: body } : mapping(body, [name]);
    inv.addGroup(name, locate([name]));
    for (const key of Object.keys(group)) {
      if (!ANSIBLE_GROUP_KEYS.includes(key)) fail([name, key], unknownGroupKey(key));
    }
    names(group.hosts, [name, 'hosts']).forEach((host, i) => inv.addGroupHost(name, host, locate([name, 'hosts', i])));
    names(group.children, [name, 'children']).forEach((child, i) => inv.addChild(name, child, locate([name, 'children', i])));
    for (const [key, value] of Object.entries(mapping(group.vars, [name, 'vars']))) inv.setGroupVar(name, key, value, locate([name, 'vars', key]));
  }
  return inv;
}
