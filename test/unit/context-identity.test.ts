import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { withIdentityFiles } from '../../src/commands/context.js';
import { UsageError } from '../../src/core/errors.js';
import type { HostEntry } from '../../src/inventory/types.js';

// Any file that surely exists stands in for a key: only existence is checked here.
const keyA = fileURLToPath(import.meta.url);
const keyB = fileURLToPath(new URL('./targets.test.ts', import.meta.url));

const host = (name: string, spec: HostEntry['spec']): HostEntry => ({ name, spec, groups: [], vars: {} });

describe('--identity-file', () => {
  it('gives every SSH host the keys, before the keys its inventory names, without duplicates', () => {
    const hosts = [
      host('web', { name: 'web', kind: 'ssh', host: 'web' }),
      host('db', { name: 'db', kind: 'ssh', host: 'db', identityFiles: [keyB, keyA] }),
      host('local', { name: 'local', kind: 'local' }),
    ];
    withIdentityFiles(hosts, [keyA]);
    expect(hosts[0]!.spec.identityFiles).toEqual([keyA]);
    expect(hosts[1]!.spec.identityFiles).toEqual([keyA, keyB]);
    expect(hosts[2]!.spec.identityFiles).toBeUndefined();
  });

  it('refuses a key file that does not exist, naming it', () => {
    const hosts = [host('web', { name: 'web', kind: 'ssh', host: 'web' })];
    expect(() => withIdentityFiles(hosts, ['/nonexistent/dockhand-key'])).toThrow(UsageError);
    expect(() => withIdentityFiles(hosts, ['/nonexistent/dockhand-key'])).toThrow(/nonexistent\/dockhand-key: no such file/);
  });

  it('changes nothing without the option', () => {
    const hosts = [host('web', { name: 'web', kind: 'ssh', host: 'web', identityFiles: [keyB] })];
    withIdentityFiles(hosts, undefined);
    expect(hosts[0]!.spec.identityFiles).toEqual([keyB]);
  });
});
