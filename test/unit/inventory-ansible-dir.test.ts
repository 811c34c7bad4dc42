/**
 * Ansible inventory directories, group_vars/ and host_vars/, --list JSON (issue 18): what is refused
 * (vault values, templates, scripts, plugins), what is warned about once, and where errors point.
 * Agreement with real Ansible is in test/integration/ansible-oracle.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf } from '../harness/input-error.js';
import { loadInventory, parseInventory } from '../../src/inventory/load.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dockhand-ansible-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Write files (path → text) under the test directory. */
function tree(files: Record<string, string>): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const VAULTED = `!vault |
  $ANSIBLE_VAULT;1.1;AES256
  3231316132306635323062613565303138323731346532613064363834
`;

describe('vault values are refused where dockhand reads them', () => {
  it('!vault in group_vars/: the file, line and variable are named', () => {
    tree({ hosts: '[web]\nw1\n', 'group_vars/web/conn.yml': `ansible_port: 22\nansible_user: ${VAULTED}` });
    const err = errorOf(() => loadInventory(dir));
    expect(err.file).toBe(join(dir, 'group_vars/web/conn.yml'));
    expect([err.line, err.field, err.exitCode]).toEqual([2, 'ansible_user', 65]);
    expect(err.message).toContain('encrypted with Ansible Vault');
    expect(err.message).not.toContain('$ANSIBLE_VAULT');
  });

  it('{"__ansible_vault": …} in ansible-inventory --list JSON', () => {
    const json = JSON.stringify({ _meta: { hostvars: { h1: { ansible_user: { __ansible_vault: '$ANSIBLE_VAULT;1.1;AES256\n3132\n' } } } }, all: { children: ['ungrouped'] }, ungrouped: { hosts: ['h1'] } }, null, 4);
    const err = errorOf(() => parseInventory(json, '<stdin>'));
    expect([err.file, err.line, err.field]).toEqual(['<stdin>', 5, 'ansible_user']);
  });

  it('a vaulted secret dockhand does not use is no concern; a whole vaulted file is skipped with a warning', () => {
    tree({
      hosts: '[web]\nw1\n',
      'group_vars/all/main.yml': `ansible_user: deploy\ndb_password: ${VAULTED}`,
      'group_vars/all/vault.yml': '$ANSIBLE_VAULT;1.1;AES256\n6134\n',
    });
    const inv = loadInventory(dir);
    expect(inv.hosts[0]!.spec.user).toBe('deploy');
    expect(inv.warnings).toEqual([`${join(dir, 'group_vars/all/vault.yml')}: not read: encrypted with ansible-vault (dockhand does not decrypt; keep the variables it needs, such as ansible_user, in plain text)`]);
  });
});

describe('what dockhand cannot do is refused, not half-done', () => {
  it.each([
    ['a Jinja template', 'hosts', '[web]\nw1 ansible_host="{{ inventory_hostname }}.corp"\n', 2, 'ansible_host', 'Jinja template'],
    ['an unsupported connection', 'hosts', '[win]\nw1 ansible_connection=winrm\n', 2, 'ansible_connection', "'winrm' is not a connection"],
    ['ansible_host for a whole group', 'group_vars/web.yml', 'ansible_host: 10.0.0.1\n', 1, 'ansible_host', 'belongs to a host'],
    ['a bad value in host_vars/', 'host_vars/w1.yml', '\nansible_port: 70000\n', 2, 'ansible_port', 'must be a whole number between 1 and 65535, not 70000'],
  ])('%s', (_what, path, text, line, field, message) => {
    tree({ hosts: '[web]\nw1\n', [path]: text });
    const err = errorOf(() => loadInventory(dir));
    expect(err.file).toBe(join(dir, path));
    expect([err.line, err.field]).toEqual([line, field]);
    expect(err.message).toContain(message);
  });

  it.each([
    ['inventory script', 'ec2.py', '#!/usr/bin/env python3\nprint("{}")\n', 'does not run inventory scripts'],
    ['inventory plugin', 'aws_ec2.yml', 'plugin: amazon.aws.aws_ec2\nregions: [eu-west-1]\n', "inventory plugin 'amazon.aws.aws_ec2'"],
    ['TOML inventory', 'hosts.toml', '[web.hosts]\nw1 = {}\n', 'TOML'],
    ['vaulted inventory', 'hosts', '$ANSIBLE_VAULT;1.1;AES256\n3132\n', 'encrypted with ansible-vault'],
  ])('an %s in a directory', (_what, name, text, message) => {
    tree({ [name]: text });
    const err = errorOf(() => loadInventory(dir));
    expect(err.file).toBe(join(dir, name));
    expect(err.message).toContain(message);
    expect(err.hint ?? '').not.toBe('');
  });
});

describe('variables dockhand does not read', () => {
  it('application variables pass silently; unknown ansible_*, passwords and typos are warned about once', () => {
    tree({
      hosts: '[web]\nw1 app_port=8080 ansible_python_interpreter=/usr/bin/python3 ansible_usr=x\nw2 ansible_usr=y ansible_password=p\n',
      'group_vars/web.yml': 'chanel: test\nnginx_workers: 4\nansible_usr: z\n',
    });
    const inv = loadInventory(dir);
    expect(inv.warnings).toEqual([
      `${join(dir, 'hosts')}:2: ignoring Ansible variable 'ansible_usr': dockhand does not use it (did you mean 'ansible_user'?)`,
      `${join(dir, 'hosts')}:3: ignoring 'ansible_password': dockhand takes no passwords from an inventory (SSH: a key or ssh-agent; sudo: --ask-become-pass)`,
      `${join(dir, 'group_vars/web.yml')}:1: ignoring variable 'chanel' (did you mean 'channel'?)`,
    ]);
  });

  it('ssh options other than ProxyJump are said to be ignored', () => {
    const inv = parseInventory('[web]\nw1 ansible_ssh_common_args="-o ProxyJump=b1 -o StrictHostKeyChecking=no"\n', 'a.ini');
    expect(inv.hosts[0]!.spec.jump).toBe('b1');
    expect(inv.warnings).toEqual(["a.ini:2: ignoring ssh options in 'ansible_ssh_common_args' other than ProxyJump: -o StrictHostKeyChecking=no"]);
  });
});

describe('Ansible semantics', () => {
  it('[ungrouped:vars] and group_vars/ungrouped apply to hosts in no group only', () => {
    tree({ hosts: 'lone\n[web]\nw1\n[ungrouped:vars]\nansible_port=2299\n', 'group_vars/ungrouped.yml': 'ansible_user: u\n' });
    const hosts = Object.fromEntries(loadInventory(dir).hosts.map((h) => [h.name, h.spec]));
    expect(hosts.lone).toMatchObject({ user: 'u', port: 2299 });
    expect(hosts.w1).toStrictEqual({ name: 'w1', kind: 'ssh', host: 'w1' });
  });

  it.each([
    ['local', 'local'],
    ['ansible.builtin.local', 'local'],
    ['smart', 'ssh'],
    ['paramiko', 'ssh'],
  ])('ansible_connection=%s is %s', (connection, kind) => {
    expect(parseInventory(`h1 ansible_connection=${connection}\n`, 'c.ini').hosts[0]!.spec.kind).toBe(kind);
  });

  it('localhost is this machine unless it has an address or a connection', () => {
    const kinds = (text: string) => parseInventory(text, 'l.ini').hosts.map((h) => h.spec.kind);
    expect(kinds('localhost\n')).toEqual(['local']);
    expect(kinds('localhost ansible_host=127.0.0.1\n')).toEqual(['ssh']);
    expect(kinds('localhost ansible_connection=ssh\n')).toEqual(['ssh']);
    // Native inventories say what they mean: no implicit localhost there.
    expect(parseInventory('hosts:\n  localhost:\n', 'n.yaml').hosts[0]!.spec.kind).toBe('ssh');
  });

  it('group_vars/NAME: the first of NAME, NAME.yml, NAME.yaml, NAME.json is read, a directory whole', () => {
    tree({
      hosts: '[web]\nw1\n[db]\nd1\n',
      'group_vars/web/a.yml': 'ansible_user: a\n',
      'group_vars/web/b': 'ansible_port: 2200\n',
      'group_vars/web.yml': 'ansible_user: not-read\n',
      'group_vars/db.yaml': 'ansible_user: yaml\n',
      'group_vars/db.json': '{"ansible_user": "not-read"}',
    });
    const hosts = Object.fromEntries(loadInventory(dir).hosts.map((h) => [h.name, h.spec]));
    expect(hosts.w1).toMatchObject({ user: 'a', port: 2200 });
    expect(hosts.d1).toMatchObject({ user: 'yaml' });
  });

  it('a directory of only *.ini files says why it gave nothing', () => {
    tree({ 'hosts.ini': '[web]\nw1\n' });
    const inv = loadInventory(dir);
    expect(inv.hosts).toEqual([]);
    expect(inv.warnings[0]).toContain('Ansible ignores *.ini files inside an inventory directory');
  });

  it('a bad line in the second file of a directory names that file', () => {
    tree({ a: '[web]\nw1\n', b: '[db]\nd1 ansible_port=x\n' });
    const err = errorOf(() => loadInventory(dir));
    expect([err.file, err.line, err.field]).toEqual([join(dir, 'b'), 2, 'ansible_port']);
  });

  it('a symlink loop is read once; a broken symlink is named', () => {
    tree({ hosts: '[web]\nw1\n' });
    symlinkSync(dir, join(dir, 'loop'));
    expect(loadInventory(dir).hosts.map((h) => h.name)).toEqual(['w1']);
    symlinkSync(join(dir, 'gone'), join(dir, 'broken'));
    const err = errorOf(() => loadInventory(dir));
    expect([err.file, err.exitCode]).toEqual([join(dir, 'broken'), 65]);
  });

  it('YAML host patterns expand as in INI', () => {
    const inv = parseInventory('all:\n  hosts:\n    web[1:2]:\n      ansible_user: u\n    db:2222:\n', 'r.yml');
    expect(inv.hosts.map((h) => [h.name, h.spec.user, h.spec.port])).toEqual([
      ['web1', 'u', undefined],
      ['web2', 'u', undefined],
      ['db', undefined, 2222],
    ]);
  });
});
