/**
 * Ansible's INI inventory: `[group]` host lines with `key=value` variables, `[group:vars]`,
 * `[group:children]`, hosts before any section are ungrouped, `name[01:03]` / `[a:c]` ranges.
 */
import { InputError } from '../core/errors.js';
import { AnsibleInventoryBuilder } from './ansible.js';

export function parseAnsibleIni(text: string, file: string, inv = new AnsibleInventoryBuilder(file)): AnsibleInventoryBuilder {
  inv.file = file;
  let group = 'ungrouped';
  let kind: 'hosts' | 'vars' | 'children' = 'hosts';
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const at = { line };
    const content = raw.trim();
    if (content === '' || content.startsWith('#') || content.startsWith(';')) return;
    const section = /^\[([^\]:]+)(?::(vars|children))?\]$/.exec(content);
    if (section) {
      group = section[1]!.trim();
      kind = (section[2] as 'vars' | 'children' | undefined) ?? 'hosts';
      if (kind === 'hosts') inv.addGroup(group, at);
      return;
    }
    if (content.startsWith('[')) throw new InputError(file, `bad section header '${content}'`, { line });
    if (kind === 'children') return inv.addChild(group, content, at);
    if (kind === 'vars') {
      const eq = content.indexOf('=');
      if (eq <= 0) throw new InputError(file, `expected key=value in [${group}:vars]`, { line });
      return inv.setGroupVar(group, content.slice(0, eq).trim(), unquote(content.slice(eq + 1).trim()), at);
    }
    const [pattern, ...assignments] = splitWords(content, file, line);
    const vars = assignments.map((word) => {
      const eq = word.indexOf('=');
      if (eq <= 0) throw new InputError(file, `expected key=value after the host name, got '${word}'`, { line });
      return [word.slice(0, eq), unquote(word.slice(eq + 1))] as const;
    });
    for (const host of addHostPattern(inv, group, pattern!, at, file)) {
      for (const [key, value] of vars) inv.setHostVar(host, key, value, at);
    }
  });
  return inv;
}

/**
 * `web[01:03]`, `db:2222` (Ansible's short form for ansible_port, which applies to every host of the
 * range): the hosts, added to `group`, with the port set.
 */
export function addHostPattern(inv: AnsibleInventoryBuilder, group: string, pattern: string, at: { line?: number; column?: number }, file: string): string[] {
  return expandHostRanges(pattern, file, at.line).map((hostWithPort) => {
    const portSuffix = /^([^:]+):(\d+)$/.exec(hostWithPort);
    const host = portSuffix ? portSuffix[1]! : hostWithPort;
    inv.addGroupHost(group, host, at);
    if (portSuffix) inv.setHostVar(host, 'ansible_port', portSuffix[2]!, at);
    return host;
  });
}

/** Split on spaces outside quotes; quotes stay in the word (unquote removes them per value). */
function splitWords(content: string, file: string, line: number): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const ch of content) {
    if (quote) {
      current += ch;
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (/\s/.test(ch)) {
      if (current !== '') words.push(current);
      current = '';
    } else if (ch === '#' && current === '') {
      break; // a trailing comment
    } else current += ch;
  }
  if (quote) throw new InputError(file, `unterminated ${quote} quote`, { line });
  if (current !== '') words.push(current);
  return words;
}

function unquote(value: string): string {
  const m = /^(["'])(.*)\1$/s.exec(value);
  return m ? m[2]! : value;
}

/** `web[01:03].example` → web01.example, web02.example, web03.example; `db-[a:c]` → db-a … db-c. */
export function expandHostRanges(pattern: string, file = '<pattern>', line?: number): string[] {
  const m = /^(.*?)\[([^\]:]+):([^\]:]+)(?::(\d+))?\](.*)$/.exec(pattern);
  if (!m) return [pattern];
  const [, prefix, from, to, stepText, suffix] = m as unknown as [string, string, string, string, string | undefined, string];
  const step = stepText ? Number(stepText) : 1;
  const bad = (why: string) => new InputError(file, `bad host range '${pattern}': ${why}`, { line });
  if (step < 1) throw bad('step must be at least 1');
  let items: string[];
  if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
    const width = from.length > 1 && from.startsWith('0') ? from.length : 0;
    const start = Number(from);
    const end = Number(to);
    if (end < start) throw bad('end before start');
    items = [];
    for (let n = start; n <= end; n += step) items.push(String(n).padStart(width, '0'));
  } else if (/^[a-z]$/i.test(from) && /^[a-z]$/i.test(to)) {
    const start = from.charCodeAt(0);
    const end = to.charCodeAt(0);
    if (end < start) throw bad('end before start');
    items = [];
    for (let c = start; c <= end; c += step) items.push(String.fromCharCode(c));
  } else throw bad('use numbers or single letters');
  // Further ranges in the suffix expand recursively.
  return items.flatMap((item) => expandHostRanges(`${prefix}${item}${suffix}`, file, line));
}
