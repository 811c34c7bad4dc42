/**
 * `dockhand init` and `dockhand completion`, from the built CLI: the starter inventory loads with the
 * real inventory loader (so it is valid against the schema) and names the hosts it was given; the
 * bash completion script, sourced into a real bash, offers commands, flags and an inventory's host
 * and group names. Nothing connects anywhere.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInventory } from '../../src/inventory/load.js';
import { starterInventory } from '../../src/commands/init-inventory.js';
import { parseTarget } from '../../src/model/targets.js';
import { runProgram } from '../harness/run.js';

const cli = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dockhand-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8' };
const run = (...args: string[]) => runProgram(process.execPath, [cli, ...args], env, undefined, dir);

describe('dockhand init', () => {
  it('from -H targets: a file the inventory loader accepts, with those hosts and their user/port', async () => {
    const r = await run('init', '-H', 'admin@web-1', '-H', 'web-2:2222', 'db.example');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^wrote inventory\.yaml \(3 hosts\); check it with: dockhand plan -i inventory\.yaml$/m);
    const text = readFileSync(join(dir, 'inventory.yaml'), 'utf8');
    expect(text).toMatch(/^# /); // commented
    const inv = parseInventory(text, 'inventory.yaml');
    expect(inv.hosts.map((h) => [h.name, h.spec.user, h.spec.port])).toEqual([
      ['web-1', 'admin', undefined],
      ['web-2', undefined, 2222],
      ['db.example', undefined, undefined],
    ]);
    // Never overwrites without --force.
    const again = await run('init', '-H', 'other');
    expect(again.code).toBe(64);
    expect(again.stderr).toMatch(/inventory\.yaml exists\n {2}hint: choose another file with -o FILE, or --force/);
    expect(readFileSync(join(dir, 'inventory.yaml'), 'utf8')).toBe(text);
  });

  it('--from-ssh-config: one host per Host alias without wildcards', async () => {
    const config = join(dir, 'ssh_config');
    writeFileSync(config, 'Host bastion web-*\n  User ops\nHost db-1 db-2\n  HostName 192.0.2.7\nHost *\n  ServerAliveInterval 30\n');
    const r = await run('init', '--from-ssh-config', '-F', config, '-o', '-');
    expect(r.code, r.stderr).toBe(0);
    const inv = parseInventory(r.stdout, 'stdout.yaml');
    expect(inv.hosts.map((h) => h.name)).toEqual(['bastion', 'db-1', 'db-2']);
    expect(inv.hosts[0]!.spec.sshConfigFile).toBe(config);
  });

  it('the starter with no hosts given is valid too (this machine), and odd names are quoted', () => {
    expect(parseInventory(starterInventory({ targets: [], sshAliases: [] }), 'x.yaml').hosts.map((h) => [h.name, h.spec.kind])).toEqual([['this-machine', 'local']]);
    const odd = starterInventory({ targets: [parseTarget('10.0.0.1')], sshAliases: ['yes', 'on', '1.5'] });
    expect(parseInventory(odd, 'x.yaml').hosts.map((h) => h.name)).toEqual(['10.0.0.1', 'yes', 'on', '1.5']);
  });
});

describe('dockhand completion (bash)', () => {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(cli, join(bin, 'dockhand'));
  const inventory = join(dir, 'fleet.yaml');
  writeFileSync(inventory, 'groups:\n  webservers:\n    hosts: [web-01, web-02]\nhosts:\n  web-01:\n  web-02:\n  db-primary: { address: 192.0.2.5 }\n');

  /** Completes `words` (the last is the word under the cursor) in a real bash with the script sourced. */
  const complete = (...words: string[]) => {
    const script = execFileSync(process.execPath, [cli, 'completion', 'bash'], { encoding: 'utf8' });
    const program = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _dockhand; printf '%s\\n' "\${COMPREPLY[@]}"`;
    return execFileSync('bash', ['--norc', '--noprofile', '-c', program], { encoding: 'utf8', env: { ...env, PATH: `${bin}:${process.env.PATH}` } })
      .split('\n')
      .filter(Boolean);
  };

  it('commands, then that command\'s flags', () => {
    expect(complete('dockhand', 'pl')).toEqual(['plan']);
    expect(complete('dockhand', '')).toEqual(expect.arrayContaining(['doctor', 'plan', 'up', 'facts', 'contexts', 'init', 'completion']));
    expect(complete('dockhand', 'plan', '--show-c')).toEqual(['--show-commands']);
    expect(complete('dockhand', 'doctor', '--al')).toEqual(['--allow-root-equivalent']);
    expect(complete('dockhand', 'plan', '--al')).toEqual(['--allow-storage-switch']);
  });

  it('host and group names of the inventory on the command line', () => {
    expect(complete('dockhand', 'plan', '-i', inventory, '--limit', 'db')).toEqual(['db-primary']);
    expect(complete('dockhand', 'up', '-i', inventory, '--limit', 'web')).toEqual(['web-01', 'web-02', 'webservers']);
    expect(complete('dockhand', 'doctor', '-i', inventory, '-l', '')).toEqual(expect.arrayContaining(['web-01', 'web-02', 'db-primary', 'webservers']));
  });

  it('zsh: the same function through bashcompinit', async () => {
    const r = await run('completion', 'zsh');
    expect(r.stdout).toMatch(/^#compdef dockhand\n/);
    expect(r.stdout).toContain('bashcompinit');
    expect(r.stdout).toContain('_dockhand()');
  });
});
