import { describe, expect, it } from 'vitest';
import { parseTarget, parseTargets } from '../../src/core/targets.js';

describe('parseTarget', () => {
  it.each([
    ['web-1', { host: 'web-1', user: undefined, port: undefined }],
    ['ubuntu@10.0.0.5', { host: '10.0.0.5', user: 'ubuntu', port: undefined }],
    ['ubuntu@host.example:2222', { host: 'host.example', user: 'ubuntu', port: 2222 }],
    ['admin@[::1]:2200', { host: '::1', user: 'admin', port: 2200 }],
    ['fe80::1', { host: 'fe80::1', user: undefined, port: undefined }],
  ])('%s', (text, want) => {
    expect(parseTarget(text)).toMatchObject({ kind: 'ssh', name: text, ...want });
  });

  it.each(['', 'user@', '@host', 'host:0', 'host:99999', 'host:ssh', '[::1'])('rejects %j', (text) => {
    expect(() => parseTarget(text)).toThrow();
  });

  it('no targets means the local machine', () => {
    expect(parseTargets([])).toEqual([{ name: 'local', kind: 'local' }]);
  });
});
