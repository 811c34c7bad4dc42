/**
 * Ansible inventories (INI and YAML forms) are converted into the native model, then validated and
 * resolved exactly like a native inventory, so the same hosts mean the same thing in any format.
 * The builder remembers where each field came from (line, and the name the user wrote) so errors
 * point at the Ansible file's own line and variable name.
 */
import { playbookVarNames } from './schema.js';
import type { FieldLocation, Locate } from './types.js';
import { suggest } from './validate.js';

type Settings = Record<string, unknown>;
interface GroupDraft {
  hosts: string[];
  children: string[];
  vars: Settings;
}

/** Ansible's connection variables and what they are in the native model. */
const connectionVars: Record<string, string> = {
  ansible_host: 'address',
  ansible_ssh_host: 'address',
  ansible_user: 'user',
  ansible_ssh_user: 'user',
  ansible_port: 'port',
  ansible_ssh_port: 'port',
  ansible_ssh_private_key_file: 'key',
  ansible_private_key_file: 'key',
  ansible_connection: 'connection',
  dockhand_jump: 'jump',
};
/** Ansible passes ProxyJump through these free-form ssh argument strings. */
const sshArgVars = new Set(['ansible_ssh_common_args', 'ansible_ssh_extra_args']);
const groupsWithoutVarsOfTheirOwn = new Set(['all', 'ungrouped']);

export class AnsibleInventoryBuilder {
  readonly hosts: Record<string, Settings> = {};
  readonly groups: Record<string, GroupDraft> = {};
  readonly defaults: Settings = {};
  readonly warnings: string[] = [];
  private readonly locations = new Map<string, FieldLocation>();

  constructor(private readonly file: string) {}

  addHost(name: string, at: FieldLocation): void {
    if (!(name in this.hosts)) {
      this.hosts[name] = {};
      this.remember(['hosts', name], at);
    }
  }

  addGroup(group: string, at: FieldLocation): void {
    if (groupsWithoutVarsOfTheirOwn.has(group) || group in this.groups) return;
    this.groups[group] = { hosts: [], children: [], vars: {} };
    this.remember(['groups', group], at);
  }

  addGroupHost(group: string, host: string, at: FieldLocation): void {
    this.addHost(host, at);
    this.addMember(group, 'hosts', host, at);
  }

  addChild(group: string, child: string, at: FieldLocation): void {
    this.addGroup(child, at);
    this.addMember(group, 'children', child, at);
  }

  /** `all` and `ungrouped` are implicit: every host is in them, so membership is not recorded. */
  private addMember(group: string, list: 'hosts' | 'children', member: string, at: FieldLocation): void {
    if (groupsWithoutVarsOfTheirOwn.has(group)) return;
    this.addGroup(group, at);
    const members = this.groups[group]![list];
    if (!members.includes(member)) {
      this.remember(['groups', group, list, members.length], at);
      members.push(member);
    }
  }

  setHostVar(host: string, key: string, value: unknown, at: FieldLocation): void {
    this.addHost(host, at);
    this.setVar(this.hosts[host]!, ['hosts', host], key, value, at);
  }

  setGroupVar(group: string, key: string, value: unknown, at: FieldLocation): void {
    if (group === 'all') return this.setVar(this.defaults, ['defaults'], key, value, at);
    if (group === 'ungrouped') return;
    this.addGroup(group, at);
    this.setVar(this.groups[group]!.vars, ['groups', group, 'vars'], key, value, at);
  }

  private setVar(target: Settings, base: PropertyKey[], key: string, value: unknown, at: FieldLocation): void {
    // A group setting `ansible_host` maps to `address`, which the schema rejects at that line.
    let field = connectionVars[key] ?? (playbookVarNames as readonly string[]).find((v) => v === key);
    let converted = value;
    if (sshArgVars.has(key)) {
      const jump = proxyJumpOf(String(value));
      if (jump === undefined) return;
      field = 'jump';
      converted = jump;
    }
    if (field === undefined) {
      if (!key.startsWith('ansible_')) {
        const close = suggest(key, [...playbookVarNames, ...Object.keys(connectionVars)]);
        this.warnings.push(
          `${this.file}${at.line ? `:${at.line}` : ''}: ignoring variable '${key}'${close ? ` (did you mean '${close}'?)` : ''}`,
        );
      }
      return;
    }
    target[field] = coerce(field, converted);
    this.remember([...base, field], { ...at, field: key });
  }

  private remember(path: PropertyKey[], at: FieldLocation): void {
    this.locations.set(pathKey(path), at);
  }

  /** The native-model object to validate. */
  result(): unknown {
    return { defaults: this.defaults, groups: this.groups, hosts: this.hosts };
  }

  /** Find where a native-model path came from: the exact field, else its closest recorded parent. */
  locate: Locate = (path) => {
    for (let n = path.length; n >= 0; n--) {
      const at = this.locations.get(pathKey(path.slice(0, n)));
      if (at) return n === path.length ? at : { line: at.line, column: at.column };
    }
    return {};
  };
}

function pathKey(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('\u0000');
}

/** `-o ProxyJump=bastion` or `-J bastion` inside ansible_ssh_common_args. */
export function proxyJumpOf(args: string): string | undefined {
  const m = /-o\s*(["']?)ProxyJump(?:=|\s+)([^\s"']+)\1|-J\s*(["']?)([^\s"']+)\3/i.exec(args);
  return m?.[2] ?? m?.[4];
}

/** INI values are all text; give the schema the types it expects where the text is unambiguous. */
function coerce(field: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (field === 'port' && /^\d+$/.test(value)) return Number(value);
  if (field === 'users') {
    const text = value.trim();
    if (text.startsWith('[')) {
      // A Python/JSON list literal: ['alice', "bob"].
      return text
        .slice(1, text.endsWith(']') ? -1 : undefined)
        .split(',')
        .map((item) => item.trim().replace(/^(["'])(.*)\1$/, '$2'))
        .filter((item) => item !== '');
    }
    return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
  }
  return value;
}
