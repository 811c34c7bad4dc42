/**
 * Property: any fleet written as a native inventory, an Ansible INI inventory and an Ansible YAML
 * inventory resolves to the same hosts, groups and variables.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadInventory, parseInventory } from '../../src/inventory/load.js';

interface Vars {
  user?: string;
  port?: number;
  channel?: 'stable' | 'test';
  source?: 'docker' | 'distro';
  users?: string[];
  docker_version?: string;
  mirror?: string;
}
interface Fleet {
  defaults: Vars;
  groups: Array<{ name: string; vars: Vars; children: string[] }>;
  hosts: Array<{ name: string; address: string; vars: Vars; groups: string[] }>;
}

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const vars: fc.Arbitrary<Vars> = fc.record(
  {
    user: word,
    port: fc.integer({ min: 1, max: 65535 }),
    channel: fc.constantFrom('stable' as const, 'test' as const),
    source: fc.constantFrom('docker' as const, 'distro' as const),
    users: fc.array(word, { minLength: 1, maxLength: 3 }),
    docker_version: fc.constantFrom('27.3', '28.1', '5:28.1.1-1~debian.12~bookworm'),
    mirror: word.map((w) => `https://${w}.example/docker`),
  },
  { requiredKeys: [] },
);
const fleet: fc.Arbitrary<Fleet> = fc
  .record({
    defaults: vars,
    groupNames: fc.uniqueArray(word.map((w) => `g${w}`), { maxLength: 4 }),
    hostNames: fc.uniqueArray(word.map((w) => `h${w}`), { minLength: 1, maxLength: 6 }),
  })
  .chain(({ defaults, groupNames, hostNames }) =>
    fc.record({
      defaults: fc.constant(defaults),
      // A child always comes later in the list than its parent: no cycles.
      groups: fc.tuple(
        ...groupNames.map((name, i) =>
          fc.record({ name: fc.constant(name), vars, children: fc.subarray(groupNames.slice(i + 1)) }),
        ),
      ),
      hosts: fc.tuple(
        ...hostNames.map((name, i) =>
          fc.record({ name: fc.constant(name), address: fc.constant(`198.18.0.${i + 1}`), vars, groups: fc.subarray(groupNames) }),
        ),
      ),
    }),
  );

const ansibleName: Record<string, string> = { user: 'ansible_user', port: 'ansible_port' };
const ansibleVars = (v: Vars) => Object.fromEntries(Object.entries(v).map(([k, x]) => [ansibleName[k] ?? k, x]));
const iniValue = (x: unknown) => (Array.isArray(x) ? JSON.stringify(x) : String(x));
const iniPairs = (v: Vars) => Object.entries(ansibleVars(v)).map(([k, x]) => `${k}=${iniValue(x)}`);

function native(f: Fleet): string {
  return stringify({
    defaults: f.defaults,
    groups: Object.fromEntries(f.groups.map((g) => [g.name, { vars: g.vars, children: g.children }])),
    hosts: Object.fromEntries(f.hosts.map((h) => [h.name, { address: h.address, ...h.vars, groups: h.groups }])),
  });
}

function ini(f: Fleet): string {
  const out = ['# hosts first, in order, with their own variables', ...f.hosts.map((h) => [h.name, `ansible_host=${h.address}`, ...iniPairs(h.vars)].join(' '))];
  out.push('[all:vars]', ...iniPairs(f.defaults));
  for (const g of f.groups) {
    out.push(`[${g.name}]`, ...f.hosts.filter((h) => h.groups.includes(g.name)).map((h) => h.name));
    out.push(`[${g.name}:vars]`, ...iniPairs(g.vars));
    out.push(`[${g.name}:children]`, ...g.children);
  }
  return out.join('\n') + '\n';
}

function ansibleYaml(f: Fleet): string {
  return stringify({
    all: {
      vars: ansibleVars(f.defaults),
      hosts: Object.fromEntries(f.hosts.map((h) => [h.name, { ansible_host: h.address, ...ansibleVars(h.vars) }])),
      children: Object.fromEntries(
        f.groups.map((g) => [
          g.name,
          {
            vars: ansibleVars(g.vars),
            hosts: Object.fromEntries(f.hosts.filter((h) => h.groups.includes(g.name)).map((h) => [h.name, null])),
            children: Object.fromEntries(g.children.map((c) => [c, null])),
          },
        ]),
      ),
    },
  });
}

/**
 * An Ansible directory with every group variable in group_vars/ (all.yml included) and every host
 * variable in host_vars/: Ansible's order for those layers (group_vars/all < group files by depth,
 * then name < host_vars) is the native order, so the hosts must be the same.
 */
function ansibleDir(f: Fleet, root: string): string {
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('hosts', [...f.hosts.map((h) => `${h.name} ansible_host=${h.address}`), ...f.groups.flatMap((g) => [
    `[${g.name}]`,
    ...f.hosts.filter((h) => h.groups.includes(g.name)).map((h) => h.name),
    `[${g.name}:children]`,
    ...g.children,
  ])].join('\n') + '\n');
  write('group_vars/all.yml', stringify(ansibleVars(f.defaults)));
  // A group's variables as a directory of two files, split at an arbitrary key: later files win.
  for (const g of f.groups) {
    const entries = Object.entries(ansibleVars(g.vars));
    write(`group_vars/${g.name}/a.yml`, stringify(Object.fromEntries(entries.slice(0, 1))));
    write(`group_vars/${g.name}/b.yaml`, stringify(Object.fromEntries(entries.slice(1))));
  }
  for (const h of f.hosts) write(`host_vars/${h.name}.yml`, stringify(ansibleVars(h.vars)));
  return root;
}

describe('inventory formats agree (property)', () => {
  it('native and an Ansible directory with group_vars/ and host_vars/ give the same hosts', () => {
    fc.assert(
      fc.property(fleet, (f) => {
        const root = mkdtempSync(join(tmpdir(), 'dockhand-prop-'));
        try {
          const want = parseInventory(native(f), 'fleet.yaml');
          const got = loadInventory(ansibleDir(f, root));
          expect(got.format).toBe('ansible-dir');
          expect(got.hosts).toStrictEqual(want.hosts);
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  }, 60_000);

  it('native, Ansible INI and Ansible YAML give the same hosts', () => {
    fc.assert(
      fc.property(fleet, (f) => {
        const want = parseInventory(native(f), 'fleet.yaml');
        expect(want.format).toBe('native');
        expect(want.hosts.map((h) => h.name)).toEqual(f.hosts.map((h) => h.name));
        const fromIni = parseInventory(ini(f), 'fleet.ini');
        const fromYaml = parseInventory(ansibleYaml(f), 'fleet-ansible.yaml');
        expect(fromIni.format).toBe('ansible-ini');
        expect(fromYaml.format).toBe('ansible-yaml');
        expect(fromIni.hosts).toStrictEqual(want.hosts);
        expect(fromYaml.hosts).toStrictEqual(want.hosts);
      }),
      { numRuns: 150 },
    );
    // 150 parses of three formats are CPU-bound: ~3 s alone, past vitest's 5 s default on a loaded
    // 2-core machine. The bound is for hangs, not for speed.
  }, 60_000);
});
