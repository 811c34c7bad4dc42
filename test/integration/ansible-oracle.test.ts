/**
 * Real Ansible as the oracle (issue 18): for inventory directories (INI and YAML, groups four deep,
 * ranges, group_vars as files and as directories, host_vars, conflicting values at every depth,
 * ansible_group_priority, a JSON inventory, `ansible-inventory --list` JSON), the hosts, their groups
 * and the connection variables dockhand resolves equal what `ansible-inventory -i … --list` says —
 * read by dockhand from the same files, and from that very JSON piped into `-i -`.
 *
 * ansible-inventory runs with HOME, ANSIBLE_LOCAL_TEMP, ANSIBLE_CONFIG and its working directory in a
 * temporary directory: it reads no config and writes nothing of this machine's. It resolves no host
 * names. Without ansible-inventory the suite is skipped, saying why — and fails under CI, where
 * `.ci/run` installs Debian's `ansible`.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInventory, parseInventory } from '../../src/inventory/load.js';
import type { HostEntry } from '../../src/inventory/types.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/ansible/${name}`, import.meta.url));
const onPath = (cmd: string) => (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, cmd)));
const haveAnsible = onPath('ansible-inventory');
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface ListJson {
  _meta?: { hostvars?: Record<string, Record<string, unknown>> };
  [group: string]: { hosts?: string[]; children?: string[]; vars?: Record<string, unknown> } | ListJson['_meta'];
}

let dir: string;
function ansibleInventory(source: string): { list: ListJson; text: string } {
  const r = spawnSync('ansible-inventory', ['-i', source, '--list'], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: join(dir, 'home'),
      ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
      ANSIBLE_CONFIG: join(dir, 'ansible.cfg'),
      ANSIBLE_NOCOLOR: '1',
      LANG: 'C.UTF-8',
    },
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  // A source Ansible could not parse is only a warning to it: the comparison would prove nothing.
  expect(r.stderr).not.toMatch(/Unable to parse|Failed to parse|WARNING/);
  return { list: JSON.parse(r.stdout) as ListJson, text: r.stdout };
}

/** What a host is to Ansible, in dockhand's terms. */
function fromOracle(list: ListJson): HostEntry[] {
  const hostvars = list._meta?.hostvars ?? {};
  const groups = Object.entries(list).filter(([g]) => g !== '_meta') as Array<[string, { hosts?: string[]; children?: string[] }]>;
  const byName = new Map(groups);
  const members = (g: string): string[] => {
    const group = byName.get(g) ?? {};
    return [...(group.hosts ?? []), ...(group.children ?? []).flatMap(members)];
  };
  const names = new Set([...Object.keys(hostvars), ...groups.flatMap(([g]) => members(g))]);
  return [...names].sort().map((name) => {
    const v = hostvars[name] ?? {};
    // dockhand's documented reading of Ansible: a localhost without ansible_host is this machine.
    const connection = v.ansible_connection ?? (name === 'localhost' && v.ansible_host === undefined ? 'local' : 'ssh');
    const key = v.ansible_ssh_private_key_file ?? v.ansible_private_key_file;
    const args = String(v.ansible_ssh_common_args ?? '');
    const jump = /-o ProxyJump=(\S+)/.exec(args)?.[1] ?? /-J (\S+)/.exec(args)?.[1];
    const spec: HostEntry['spec'] =
      connection === 'local'
        ? { name, kind: 'local' }
        : definedOnly({
            name,
            kind: 'ssh' as const,
            host: (v.ansible_host as string | undefined) ?? name,
            user: v.ansible_user as string | undefined,
            port: v.ansible_port === undefined ? undefined : Number(v.ansible_port),
            identityFiles: key === undefined ? undefined : [key as string],
            jump,
          });
    const vars = definedOnly(Object.fromEntries(['users', 'source', 'docker_version', 'channel', 'os', 'codename'].map((k) => [k, v[k]])));
    const inGroups = groups.filter(([g]) => g !== 'all' && g !== 'ungrouped' && members(g).includes(name)).map(([g]) => g);
    return { name, spec, groups: inGroups.sort(), vars };
  });
}

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
}

const sorted = (hosts: HostEntry[]) => [...hosts].sort((a, b) => (a.name < b.name ? -1 : 1));

/** `-i -` for real: a node process (the built loader) reading the inventory from a pipe. */
function dockhandFromStdin(text: string): HostEntry[] {
  const load = pathToFileURL(join(ROOT, 'dist/src/inventory/load.js')).href;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(load)}).then((m) => process.stdout.write(JSON.stringify(m.loadInventory('-'))))`], {
    cwd: ROOT,
    input: text,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const inv = JSON.parse(r.stdout) as { format: string; hosts: HostEntry[] };
  expect(inv.format).toBe('ansible-json');
  return inv.hosts;
}

const cases: Array<[string, string, number]> = [
  ['an INI directory with a YAML file, a subdirectory and ignored files', 'dir-ini', 8],
  ['the INI file alone: group_vars/ and host_vars/ beside it apply', 'dir-ini/hosts', 6],
  ['a YAML directory four groups deep, with a JSON inventory beside', 'dir-yaml', 8],
  ['the YAML file alone', 'dir-yaml/inventory.yml', 6],
];

if (!haveAnsible && process.env.CI) {
  describe('Ansible as the oracle', () => {
    it('needs ansible-inventory (Debian package ansible, installed by .ci/run)', () => {
      throw new Error('ansible-inventory is not on PATH: install Debian’s ansible package');
    });
  });
}

describe.skipIf(!haveAnsible)(`Ansible as the oracle${haveAnsible ? '' : ' (skipped: ansible-inventory not installed; apt-get install ansible)'}`, () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dockhand-ansible-'));
    mkdirSync(join(dir, 'home'));
    writeFileSync(join(dir, 'ansible.cfg'), '');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(cases)('%s (%s)', (_what, source, count) => {
    const { list, text } = ansibleInventory(fixture(source));
    const want = fromOracle(list);
    expect(want).toHaveLength(count);
    const got = loadInventory(fixture(source));
    expect(sorted(got.hosts)).toStrictEqual(want);
    // The same inventory through its --list JSON, piped in: the bridge from dynamic inventories.
    expect(sorted(dockhandFromStdin(text))).toStrictEqual(want);
  });

  it('ansible-inventory --list JSON from a dynamic inventory (given to Ansible as an inventory script)', () => {
    const script = join(dir, 'ec2.sh');
    writeFileSync(script, `#!/bin/sh\nexec cat '${fixture('list.json')}'\n`);
    chmodSync(script, 0o755);
    const want = fromOracle(ansibleInventory(script).list);
    expect(want.map((h) => h.name)).toEqual(['ec2-a', 'ec2-b', 'ec2-c']);
    const got = loadInventory(fixture('list.json'));
    expect(got.format).toBe('ansible-json');
    expect(sorted(got.hosts)).toStrictEqual(want);
  });

  it('the fixtures exercise what they claim (not just agreement on nothing)', () => {
    const hosts = new Map(loadInventory(fixture('dir-ini')).hosts.map((h) => [h.name, h]));
    expect(hosts.has('ignored1')).toBe(false); // *.ini inside a directory
    expect(hosts.get('web02.example')!.spec).toMatchObject({ user: 'webfile', port: 2202, jump: 'jump@198.18.9.9' });
    expect(hosts.get('db1')!.vars.docker_version).toBe('28.1'); // ansible_group_priority
    expect(hosts.get('localhost')!.spec.kind).toBe('local');
    expect(parseInventory('[web]\nw1\n', 'x.ini').hosts[0]!.spec.kind).toBe('ssh');
  });
});
