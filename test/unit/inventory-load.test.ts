import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { errorOf } from '../harness/input-error.js';
import { loadInventory, parseInventory } from '../../src/inventory/load.js';
import { expandHostRanges } from '../../src/inventory/ansible-ini.js';
import { proxyJumpOf } from '../../src/inventory/ansible.js';
import type { HostEntry } from '../../src/inventory/types.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/inventory/${name}`, import.meta.url));

const webCommon = { kind: 'ssh', user: 'admin', port: 2222, jump: 'bastion.example' } as const;
const webVars = { channel: 'stable', source: 'docker', mirror: 'https://mirror.eu.example/docker', users: ['deploy'] } as const;
const expectedFleet: HostEntry[] = [
  { name: 'local-box', spec: { name: 'local-box', kind: 'local' }, groups: [], vars: { channel: 'stable', source: 'docker' } },
  { name: 'web-01', spec: { name: 'web-01', host: '198.18.0.11', ...webCommon }, groups: ['eu', 'web'], vars: { ...webVars } },
  { name: 'web-02', spec: { name: 'web-02', host: '198.18.0.12', ...webCommon }, groups: ['eu', 'web'], vars: { ...webVars } },
  {
    name: 'web-03',
    spec: { name: 'web-03', host: '198.18.0.13', ...webCommon },
    groups: ['eu', 'web'],
    vars: { ...webVars, users: ['deploy', 'alice'] },
  },
  {
    name: 'db-1',
    spec: { name: 'db-1', kind: 'ssh', host: '198.18.0.21', user: 'root', identityFiles: ['/keys/db_ed25519'] },
    groups: ['db'],
    vars: { channel: 'test', source: 'docker', docker_version: '28.1', os: 'debian', codename: 'bookworm' },
  },
];

describe('inventory formats', () => {
  it('native YAML resolves hosts, groups and variables', () => {
    const inv = loadInventory(fixture('fleet.yaml'));
    expect(inv.format).toBe('native');
    expect(inv.hosts).toStrictEqual(expectedFleet);
  });

  it.each([
    ['fleet.ini', 'ansible-ini'],
    ['fleet-ansible.yaml', 'ansible-yaml'],
  ])('%s (Ansible) gives the same host list as the native file', (file, format) => {
    const inv = loadInventory(fixture(file));
    expect(inv.format).toBe(format);
    expect(inv.hosts).toStrictEqual(loadInventory(fixture('fleet.yaml')).hosts);
    expect(inv.warnings).toEqual([]);
  });

  it('detects INI by content when the file has no extension', () => {
    const inv = parseInventory('[web]\nweb-1 ansible_host=198.18.0.1\n', 'hosts');
    expect(inv.format).toBe('ansible-ini');
    expect(inv.hosts.map((h) => [h.name, h.spec.host, h.groups])).toEqual([['web-1', '198.18.0.1', ['web']]]);
  });

  it('expands Ansible host ranges and host:port', () => {
    const inv = loadInventory(fixture('ranges.ini'));
    expect(inv.hosts.map((h) => [h.name, h.spec.user, h.spec.port])).toEqual([
      ['web01.example', 'deploy', undefined],
      ['web02.example', 'deploy', undefined],
      ['web03.example', 'deploy', undefined],
      ['db-a', undefined, 2200],
      ['db-b', undefined, 2200],
    ]);
  });

  it.each([
    ['web[1:3]', ['web1', 'web2', 'web3']],
    ['web[08:10]', ['web08', 'web09', 'web10']],
    ['n[0:6:3]-[a:b]', ['n0-a', 'n0-b', 'n3-a', 'n3-b', 'n6-a', 'n6-b']],
    ['plain', ['plain']],
  ])('range %s', (pattern, want) => {
    expect(expandHostRanges(pattern)).toEqual(want);
  });

  it.each([
    ['-o ProxyJump=bastion', 'bastion'],
    ["-o 'ProxyJump=me@b1:22,b2'", 'me@b1:22,b2'],
    ['-J jump.example -o StrictHostKeyChecking=yes', 'jump.example'],
    ['-o ServerAliveInterval=5', undefined],
  ])('ProxyJump from ssh args %j', (args, want) => {
    expect(proxyJumpOf(args)).toBe(want);
  });

  it('warns about Ansible variables it ignores, suggesting a close name', () => {
    const inv = parseInventory('[web]\nweb-1 chanel=test ansible_python_interpreter=/usr/bin/python3\n', 'x.ini');
    expect(inv.warnings).toEqual(["x.ini:2: ignoring variable 'chanel' (did you mean 'channel'?)"]);
  });
});

describe('precedence', () => {
  const yaml = `
defaults: { user: d, channel: stable, docker_version: "1" }
groups:
  parent: { children: [child], vars: { user: p, channel: test, users: [a, b] } }
  child: { vars: { user: c } }
  other: { vars: { docker_version: "2" } }
hosts:
  h1: { groups: [child, other] }
  h2: { groups: [child], user: own, users: [z] }
  h3: {}
  h4:
`;
  const hosts = parseInventory(yaml, 'p.yaml').hosts;
  const byName = (n: string) => hosts.find((h) => h.name === n)!;

  it('defaults < parent group < child group < host', () => {
    expect(byName('h1').spec.user).toBe('c');
    expect(byName('h1').vars).toEqual({ channel: 'test', docker_version: '2', users: ['a', 'b'] });
    expect(byName('h1').groups).toEqual(['child', 'other', 'parent']);
    expect(byName('h2').spec.user).toBe('own');
    expect(byName('h2').vars.users).toEqual(['z']);
    expect(byName('h3')).toEqual({ name: 'h3', spec: { name: 'h3', kind: 'ssh', host: 'h3', user: 'd' }, groups: [], vars: { channel: 'stable', docker_version: '1' } });
    expect(byName('h4').spec.host).toBe('h4');
  });

  it('expands ~ in key paths', () => {
    const [h] = parseInventory('hosts: { a: { key: ~/.ssh/id_x } }', 'k.yaml').hosts;
    expect(h!.spec.identityFiles![0]).toMatch(/\/\.ssh\/id_x$/);
    expect(h!.spec.identityFiles![0]).not.toContain('~');
  });
});

describe('inventory errors name file, line and field', () => {

  it('a misspelt field in a native inventory', () => {
    const file = fixture('typo.yaml');
    const err = errorOf(() => loadInventory(file));
    expect(err.file).toBe(file);
    expect(err.line).toBe(6);
    expect(err.field).toBe('hosts.web-1.prot');
    expect(err.message).toBe(`${file}:6:5: hosts.web-1.prot: unknown key — did you mean \`port\`?`);
    expect(err.exitCode).toBe(65);
  });

  it('a bad value in an Ansible INI inventory names the Ansible variable', () => {
    const err = errorOf(() => loadInventory(fixture('bad-type.ini')));
    expect(err.line).toBe(5);
    expect(err.field).toBe('ansible_port');
    expect(err.message).toMatch(/bad-type\.ini:5: ansible_port: must be a whole number between 1 and 65535, not '/);
  });

  it('a bad value in an Ansible YAML inventory', () => {
    const text = 'all:\n  children:\n    web:\n      hosts:\n        w1:\n          ansible_port: 0\n';
    const err = errorOf(() => parseInventory(text, 'a.yaml'));
    expect([err.line, err.field]).toEqual([6, 'ansible_port']);
  });

  it('a group address in Ansible (ansible_host belongs to a host)', () => {
    const err = errorOf(() => parseInventory('[web:vars]\nansible_host=10.0.0.1\n', 'g.ini'));
    expect([err.line, err.field]).toEqual([2, 'ansible_host']);
  });

  it.each([
    ['hosts:\n  a: { groups: [nope] }\n', 2, 'hosts.a.groups[0]', "unknown group 'nope'"],
    ['groups:\n  g:\n    hosts: [a, b]\nhosts:\n  a:\n', 3, 'groups.g.hosts[1]', "unknown host 'b'"],
    ['groups:\n  g: { children: [h] }\n  h: { children: [g] }\nhosts: {}\n', 2, 'groups.g.children', 'its own ancestor'],
    ['hosts:\n  a: { channel: nightly }\n', 2, 'hosts.a.channel', "must be one of `stable`, `test`, not 'nightly'"],
    ['defaults: { user: a }\n', 1, 'hosts', 'is missing — an inventory needs a `hosts:` map'],
    ['hosts:\n  a: {\n', 3, undefined, 'invalid YAML'],
    // Values are checked when the inventory loads (file:line:field, exit 65), not later as if they were flags.
    ['hosts:\n  a:\n    users: [ok, "a;b"]\n', 3, 'hosts.a.users[1]', "'a;b' is not a valid user name"],
    ['hosts:\n  a:\n    docker_version: "x y"\n', 3, 'hosts.a.docker_version', 'not a version'],
    ['hosts:\n  a:\n    address: "10.0.0.1;reboot"\n', 3, 'hosts.a.address', 'shell metacharacters'],
    ['hosts:\n  a:\n    user: "-oProxyCommand=x"\n', 3, 'hosts.a.user', "starts with '-'"],
    ['defaults:\n  jump: "bastion,evil host"\nhosts:\n  a:\n', 2, 'defaults.jump', "jump host 'evil host'"],
    ['hosts:\n  a:\n    mirror: "https://m.example/x y"\n', 3, 'hosts.a.mirror', 'not an http(s) URL'],
    ['hosts:\n  a:\n    key_fingerprint: "abc"\n', 3, 'hosts.a.key_fingerprint', 'not a key fingerprint'],
    ['hosts:\n  "web 1":\n', 2, 'hosts["web 1"]', 'whitespace'],
    ['hosts:\n  "web\\e[2J": { address: 10.0.0.1 }\n', 2, 'hosts["web\\u001b[2J"]', 'control characters'],
  ])('%j', (text, line, field, message) => {
    const err = errorOf(() => parseInventory(text, 'inv.yaml'));
    expect([err.line, err.field, err.exitCode]).toEqual([line, field, 65]);
    expect(err.message).toContain(message);
  });

  it('an Ansible variable with a bad value names the variable and line', () => {
    const err = errorOf(() => parseInventory('[web]\nw1 ansible_user="a b"\n', 'u.ini'));
    expect([err.line, err.field]).toEqual([2, 'ansible_user']);
  });

  it('exact package versions and "web 1" with an address are accepted', () => {
    const inv = parseInventory('hosts:\n  "web 1": { address: 10.0.0.1, docker_version: "5:28.1.1-1~debian.12~bookworm" }\n', 'ok.yaml');
    expect(inv.hosts[0]!.vars.docker_version).toBe('5:28.1.1-1~debian.12~bookworm');
  });

  it('binary bytes: a clear error at the line, not host names made of them', () => {
    const err = errorOf(() => parseInventory('[web]\nh1\n\u0000\u0001ELF\n', 'bin'));
    expect(err.line).toBe(3);
    expect(err.message).toContain('not a text inventory');
  });

  it('an unreadable file', () => {
    const err = errorOf(() => loadInventory(fixture('does-not-exist.yaml')));
    expect(err.message).toContain('cannot read inventory: ENOENT');
  });
});
