/**
 * Ansible inventories (INI, YAML, `ansible-inventory --list` JSON, directories with group_vars/ and
 * host_vars/) are converted into the native model, then validated and resolved like a native
 * inventory, so the same hosts mean the same thing in any format. The builder remembers where each
 * field came from (file, line, and the name the user wrote) so errors point at the Ansible file's own
 * line and variable name.
 */
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { suggest } from '../core/suggest.js';
import { printable } from '../core/values.js';
import { connectionKinds, connectionVars, passwordVars, quietlyIgnored, sshArgVars } from './ansible-vars.js';
import type { AnsibleLayers } from './resolve.js';
import { hostSchema, inventorySchema, playbookVarNames, settingsSchema } from './schema.js';
import type { FieldLocation, Locate } from './types.js';

type Settings = Record<string, unknown>;
interface GroupDraft {
  hosts: string[];
  children: string[];
  vars: Settings;
}

const groupsWithoutVarsOfTheirOwn = new Set(['all', 'ungrouped']);

/** A `!vault` value (or `{"__ansible_vault": …}` in ansible-inventory's JSON): never read as text. */
export class VaultValue {
  constructor(readonly ciphertext: string) {}
}
/** YAML tags Ansible defines: `!vault` is refused where it is used, `!unsafe` is a plain string. */
export const ansibleYamlTags = [
  { tag: '!vault', resolve: (text: string) => new VaultValue(text) },
  { tag: '!unsafe', resolve: (text: string) => text },
];

/** The keys an Ansible group (YAML or `--list` JSON) may have. */
export const ANSIBLE_GROUP_KEYS = ['hosts', 'vars', 'children'];

/** The message for a key an Ansible group does not have, in the schema loader's words. */
export function unknownGroupKey(key: string): string {
  const close = suggest(key, ANSIBLE_GROUP_KEYS);
  return `unknown key — ${close ? `did you mean \`${close}\`?` : 'an Ansible group takes `hosts`, `vars` and `children`'}`;
}

/** The model an Ansible inventory is validated as: the native one plus the layers only Ansible has. */
export const ansibleInventorySchema = inventorySchema.extend({
  ungrouped: settingsSchema.optional(),
  groupVarFiles: z.record(z.string(), settingsSchema),
  hostVarFiles: z.record(z.string(), hostSchema.omit({ groups: true })),
});

export class AnsibleInventoryBuilder {
  readonly hosts: Record<string, Settings> = {};
  readonly groups: Record<string, GroupDraft> = {};
  readonly defaults: Settings = {};
  readonly ungrouped: Settings = {};
  readonly groupVarFiles: Record<string, Settings> = {};
  readonly hostVarFiles: Record<string, Settings> = {};
  readonly priority: Record<string, number> = {};
  readonly warnings: string[] = [];
  private readonly warned = new Set<string>();
  private readonly locations = new Map<string, FieldLocation>();

  /** The file being read now: a directory's inventory files and vars files share one builder. */
  constructor(public file: string) {}

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
    this.setVar(this.hosts[host]!, ['hosts', host], key, value, at, 'host');
  }

  setGroupVar(group: string, key: string, value: unknown, at: FieldLocation): void {
    if (key === 'ansible_group_priority') this.setPriority(group, value, at);
    if (group === 'all') return this.setVar(this.defaults, ['defaults'], key, value, at, 'group');
    if (group === 'ungrouped') return this.setVar(this.ungrouped, ['ungrouped'], key, value, at, 'group');
    this.addGroup(group, at);
    this.setVar(this.groups[group]!.vars, ['groups', group, 'vars'], key, value, at, 'group');
  }

  /** A variable from group_vars/<group>[.yml|/…]: a layer of its own (see AnsibleLayers). */
  setGroupFileVar(group: string, key: string, value: unknown, at: FieldLocation): void {
    const vars = (this.groupVarFiles[group] ??= {});
    this.setVar(vars, ['groupVarFiles', group], key, value, at, 'group');
  }

  setHostFileVar(host: string, key: string, value: unknown, at: FieldLocation): void {
    const vars = (this.hostVarFiles[host] ??= {});
    this.setVar(vars, ['hostVarFiles', host], key, value, at, 'host');
  }

  private setPriority(group: string, value: unknown, at: FieldLocation): void {
    const n = Number(value);
    if (!Number.isInteger(n)) throw this.error(at, 'ansible_group_priority', `expected an integer, got '${printable(String(value))}'`);
    this.priority[group] = n;
  }

  private setVar(target: Settings, base: PropertyKey[], key: string, value: unknown, at: FieldLocation, level: 'host' | 'group'): void {
    let field = connectionVars[key] ?? (playbookVarNames as readonly string[]).find((v) => v === key);
    let converted = value;
    if (sshArgVars.has(key) && typeof value === 'string') {
      const { jump, rest } = splitProxyJump(value);
      if (rest !== '') this.warnOnce(key, at, `ignoring ssh options in '${key}' other than ProxyJump: ${printable(rest)}`);
      if (jump === undefined) return;
      field = 'jump';
      converted = jump;
    }
    if (field === undefined) return this.ignore(key, at);
    if (converted instanceof VaultValue || isVaultObject(converted)) {
      throw this.error(at, key, 'is encrypted with Ansible Vault: dockhand does not decrypt vault values', {
        hint: 'keep the variables dockhand reads (ansible_host, ansible_user, ansible_port, …) in plain text and vault only secrets',
      });
    }
    if (isTemplate(converted)) {
      throw this.error(at, key, `is a Jinja template ('${printable(String(converted))}'): dockhand does not evaluate templates`, {
        hint: 'write the value itself here, or see what Ansible makes of it with: ansible-inventory -i INVENTORY --host HOST',
      });
    }
    // One address for a whole group is almost always a mistake, and the native model has no such field.
    if (field === 'address' && level === 'group') {
      throw this.error(at, key, 'belongs to a host (its line, or host_vars/<host>): a group cannot share one address');
    }
    if (field === 'connection') converted = connectionKind(converted, () => this.error(at, key, `'${printable(String(converted))}' is not a connection dockhand has: ssh (also smart, paramiko) or local`));
    target[field] = coerce(field, converted);
    this.remember([...base, field], { ...at, field: key });
  }

  /**
   * A variable dockhand does not read. Most (an application's own, Ansible's module settings) are
   * no concern; a close miss of a dockhand variable, a password, or an `ansible_*` name dockhand does
   * not know could change how a host is reached: those are said once per name.
   */
  private ignore(key: string, at: FieldLocation): void {
    if (quietlyIgnored.has(key)) return;
    if (passwordVars.has(key)) {
      return this.warnOnce(key, at, `ignoring '${key}': dockhand takes no passwords from an inventory (SSH: a key or ssh-agent; sudo: --ask-become-pass)`);
    }
    const close = suggest(key, [...playbookVarNames, ...Object.keys(connectionVars)]);
    const didYouMean = close ? ` (did you mean '${close}'?)` : '';
    if (key.startsWith('ansible_')) return this.warnOnce(key, at, `ignoring Ansible variable '${key}': dockhand does not use it${didYouMean}`);
    if (close) this.warnOnce(key, at, `ignoring variable '${key}'${didYouMean}`);
  }

  private warnOnce(key: string, at: FieldLocation, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    const file = at.file ?? this.file;
    this.warnings.push(`${file}${at.line ? `:${at.line}` : ''}: ${message}`);
  }

  private error(at: FieldLocation, key: string, detail: string, extra: { hint?: string } = {}): InputError {
    return new InputError(at.file ?? this.file, detail, { line: at.line, column: at.column, field: key, ...extra });
  }

  private remember(path: PropertyKey[], at: FieldLocation): void {
    this.locations.set(pathKey(path), { file: this.file, ...at });
  }

  /** The model to validate with ansibleInventorySchema. */
  result(): unknown {
    return {
      defaults: this.defaults,
      groups: this.groups,
      hosts: this.hosts,
      ungrouped: this.ungrouped,
      groupVarFiles: this.groupVarFiles,
      hostVarFiles: this.hostVarFiles,
    };
  }

  /** The layers resolveInventory adds for Ansible, from the validated model. */
  layers(valid: z.infer<typeof ansibleInventorySchema>): AnsibleLayers {
    return { ungrouped: valid.ungrouped, groupVarFiles: valid.groupVarFiles, hostVarFiles: valid.hostVarFiles, priority: this.priority };
  }

  /** Find where a native-model path came from: the exact field, else its closest recorded parent. */
  locate: Locate = (path) => {
    for (let n = path.length; n >= 0; n--) {
      const at = this.locations.get(pathKey(path.slice(0, n)));
      if (at) return n === path.length ? at : { file: at.file, line: at.line, column: at.column };
    }
    return {};
  };
}

function isVaultObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && '__ansible_vault' in value;
}

function isTemplate(value: unknown): boolean {
  const texts = Array.isArray(value) ? value : [value];
  return texts.some((t) => typeof t === 'string' && /\{\{|\{%/.test(t));
}

function connectionKind(value: unknown, bad: () => InputError): 'ssh' | 'local' {
  const kind = typeof value === 'string' ? connectionKinds[value] : undefined;
  if (!kind) throw bad();
  return kind;
}

function pathKey(path: ReadonlyArray<PropertyKey>): string {
  return path.map(String).join('\u0000');
}

const PROXY_JUMP = /-o\s*(["']?)ProxyJump(?:=|\s+)([^\s"']+)\1|-J\s*(["']?)([^\s"']+)\3/i;

/** `-o ProxyJump=bastion` or `-J bastion` inside ansible_ssh_common_args. */
export function proxyJumpOf(args: string): string | undefined {
  return splitProxyJump(args).jump;
}

/** The ProxyJump of an ssh argument string, and what else it says (which dockhand does not apply). */
function splitProxyJump(args: string): { jump?: string; rest: string } {
  const m = PROXY_JUMP.exec(args);
  const rest = (m ? args.replace(m[0], ' ') : args).trim().replace(/\s+/g, ' ');
  return { jump: m?.[2] ?? m?.[4], rest };
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
