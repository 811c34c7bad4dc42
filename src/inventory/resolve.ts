/**
 * From a validated inventory (native, or converted from Ansible) to the hosts to work on:
 * group membership through child groups, and variables by precedence
 *   defaults < group vars (shallower groups first, then by name; a parent before its child) < host.
 * This mirrors Ansible's ordering, so an Ansible inventory means the same thing here. An Ansible
 * inventory brings more layers (group_vars/, host_vars/, `ungrouped`), ordered as Ansible's
 * VariableManager orders them: see AnsibleLayers.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { inputProblem } from '../data/yaml-schema.js';
import { hostNameProblem, printable } from '../core/values.js';
import type { TargetSpec } from '../transport/types.js';
import { playbookVarNames, type NativeInventory, type Settings } from './schema.js';
import type { HostEntry, HostVars, Locate } from './types.js';

/**
 * What an Ansible inventory adds to the native model. Ansible's order for one host (ansible-core's
 * default VARIABLE_PRECEDENCE, then host vars):
 *   inventory `all` vars < inventory vars of the host's groups < group_vars/all < group_vars/<group>
 *   < the host's inventory vars < host_vars/<host>,
 * groups sorted by (depth, ansible_group_priority, name) in both group layers. A host in no group is
 * in `ungrouped`, whose vars take that place. So group_vars/all.yml beats `[web:vars]`, as in Ansible.
 */
export interface AnsibleLayers {
  ungrouped?: Settings;
  /** group_vars/<name> (`all` and `ungrouped` included), files already merged in Ansible's order. */
  groupVarFiles: Record<string, Settings>;
  /** host_vars/<name>: may carry the address (ansible_host). */
  hostVarFiles: Record<string, Settings & { address?: string }>;
  /** ansible_group_priority from the inventory's group vars (default 1). */
  priority: Record<string, number>;
}

/** Ansible's implicit localhost: `localhost` without an address or a connection is this machine. */
const LOCALHOST = 'localhost';

export function resolveInventory(inv: NativeInventory, file: string, locate: Locate, ansible?: AnsibleLayers): HostEntry[] {
  const groups = inv.groups ?? {};
  const fail = (path: PropertyKey[], detail: string): never => {
    throw inputProblem(file, locate, path, detail);
  };

  // Child → parents, checking every reference names something that exists.
  const parents = new Map<string, string[]>();
  for (const [name, group] of Object.entries(groups)) {
    (group.children ?? []).forEach((child, i) => {
      if (!(child in groups)) fail(['groups', name, 'children', i], `unknown group '${child}'`);
      parents.set(child, [...(parents.get(child) ?? []), name]);
    });
    (group.hosts ?? []).forEach((host, i) => {
      if (!(host in inv.hosts)) fail(['groups', name, 'hosts', i], `unknown host '${host}' (list it under hosts:)`);
    });
  }
  checkSshConfigFiles(inv, fail);
  const depth = groupDepths(Object.keys(groups), parents, (group) => fail(['groups', group, 'children'], `group '${group}' is its own ancestor`));

  const entries: HostEntry[] = [];
  for (const [name, hostOrNull] of Object.entries(inv.hosts)) {
    const host = hostOrNull ?? {};
    const direct = new Set<string>();
    for (const [g, group] of Object.entries(groups)) if (group.hosts?.includes(name)) direct.add(g);
    (host.groups ?? []).forEach((g, i) => {
      if (!(g in groups)) fail(['hosts', name, 'groups', i], `unknown group '${g}'`);
      direct.add(g);
    });
    const all = withAncestors(direct, parents);
    const priority = (g: string) => ansible?.priority[g] ?? 1;
    const ordered = [...all].sort((a, b) => depth.get(a)! - depth.get(b)! || priority(a) - priority(b) || (a < b ? -1 : a > b ? 1 : 0));
    let layers: Settings[] = [inv.defaults ?? {}, ...ordered.map((g) => groups[g]!.vars ?? {}), host];
    let address = host.address;
    if (ansible) {
      // Only a host in no group is in `ungrouped` (Ansible's reconcile_inventory).
      const inGroups = ordered.length > 0 ? ordered : ['ungrouped'];
      const files = ansible.groupVarFiles;
      const hostFile = ansible.hostVarFiles[name] ?? {};
      layers = [
        inv.defaults ?? {},
        ...(ordered.length > 0 ? ordered.map((g) => groups[g]!.vars ?? {}) : [ansible.ungrouped ?? {}]),
        files.all ?? {},
        ...inGroups.map((g) => files[g] ?? {}),
        host,
        hostFile,
      ];
      address = hostFile.address ?? host.address;
    }
    const merged: Settings = Object.assign({}, ...layers.map(definedOnly));
    if (ansible && name === LOCALHOST && address === undefined && merged.connection === undefined) merged.connection = 'local';
    const spec = targetSpec(name, address, merged);
    // Without an address the name is what SSH connects to: it must be a host name OpenSSH accepts.
    // With an address the name is only a label, but it is printed everywhere: no control characters.
    const nameProblem =
      spec.kind === 'ssh' && address === undefined
        ? hostNameProblem(name)
        : /\p{Cc}/u.test(name)
          ? `host name '${printable(name)}' contains control characters`
          : undefined;
    if (nameProblem) fail(['hosts', name], `${nameProblem} (set address: to connect elsewhere)`);
    entries.push({
      name,
      spec,
      groups: [...all].sort(),
      vars: pickVars(merged),
    });
  }
  return entries;
}

/** Depth of each group: 1 for a top-level group, else 1 + the deepest parent. Detects cycles. */
function groupDepths(names: string[], parents: Map<string, string[]>, onCycle: (group: string) => never): Map<string, number> {
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (g: string): number => {
    const known = depth.get(g);
    if (known !== undefined) return known;
    if (visiting.has(g)) onCycle(g);
    visiting.add(g);
    const d = 1 + Math.max(0, ...(parents.get(g) ?? []).map(visit));
    visiting.delete(g);
    depth.set(g, d);
    return d;
  };
  names.forEach(visit);
  return depth;
}

function withAncestors(direct: Set<string>, parents: Map<string, string[]>): Set<string> {
  const all = new Set<string>();
  const queue = [...direct];
  while (queue.length > 0) {
    const g = queue.pop()!;
    if (all.has(g)) continue;
    all.add(g);
    queue.push(...(parents.get(g) ?? []));
  }
  return all;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function pickVars(s: Settings): HostVars {
  const vars: Record<string, unknown> = {};
  for (const key of playbookVarNames) if (s[key] !== undefined) vars[key] = s[key];
  return vars as HostVars;
}

export function expandHome(path: string): string {
  return path === '~' ? homedir() : path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

function targetSpec(name: string, address: string | undefined, s: Settings): TargetSpec {
  if (s.connection === 'local') return { name, kind: 'local' };
  const spec: TargetSpec = { name, kind: 'ssh', host: address ?? name };
  if (s.user !== undefined) spec.user = s.user;
  if (s.port !== undefined) spec.port = s.port;
  if (s.key !== undefined) spec.identityFiles = [expandHome(s.key)];
  if (s.jump !== undefined) spec.jump = s.jump;
  if (s.ssh_config !== undefined) spec.sshConfigFile = expandHome(s.ssh_config);
  return spec;
}

/**
 * Every `ssh_config` names a file that exists, checked where it is written (file:line) before any
 * connection: `ssh -G -F` on a missing file fails, and its aliases would be looked up as bare names.
 */
function checkSshConfigFiles(inv: NativeInventory, fail: (path: PropertyKey[], detail: string) => never): void {
  const layers: Array<[PropertyKey[], Settings | null | undefined]> = [
    [['defaults'], inv.defaults],
    ...Object.entries(inv.groups ?? {}).map(([g, group]): [PropertyKey[], Settings | undefined] => [['groups', g, 'vars'], group.vars]),
    ...Object.entries(inv.hosts).map(([h, host]): [PropertyKey[], Settings | null] => [['hosts', h], host]),
  ];
  for (const [path, layer] of layers) {
    const file = layer?.ssh_config;
    if (file !== undefined && !existsSync(expandHome(file))) fail([...path, 'ssh_config'], `no such file: ${expandHome(file)}`);
  }
}
