import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sshConfigAliases } from '../../src/inventory/ssh-config.js';
import { loadInventory } from '../../src/inventory/load.js';

const dir = mkdtempSync(join(tmpdir(), 'dockhand-sshcfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hosts from an OpenSSH config', () => {
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(
    join(dir, 'config'),
    [
      '# comment',
      'Include conf.d/*.conf',
      'Host web-1 web-2 !web-3',
      '  HostName 198.18.0.1',
      'Host *.internal db-?',
      '  User admin',
      'Host = "quoted"',
      'Match host foo',
      'Host *',
      '  ServerAliveInterval 30',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'conf.d', 'a.conf'), 'Host bastion\n  HostName 198.18.0.9\nHost web-1\n');
  writeFileSync(join(dir, 'conf.d', 'ignored.txt'), 'Host not-included\n');

  it('lists non-wildcard Host aliases, following Include', () => {
    expect(sshConfigAliases(join(dir, 'config'))).toEqual(['bastion', 'web-1', 'web-2', 'quoted']);
  });

  it('ssh:FILE as an inventory leaves resolution to ssh -G -F FILE (host = alias, and the file it came from)', () => {
    const file = join(dir, 'config');
    const inv = loadInventory(`ssh:${file}`);
    expect(inv.format).toBe('ssh-config');
    expect(inv.hosts[0]).toEqual({ name: 'bastion', spec: { name: 'bastion', kind: 'ssh', host: 'bastion', sshConfigFile: file }, groups: [], vars: {} });
  });

  it('a missing config means no hosts', () => {
    expect(sshConfigAliases(join(dir, 'nope'))).toEqual([]);
  });
});
