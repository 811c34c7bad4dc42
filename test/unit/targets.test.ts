import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { parseTarget } from '../../src/model/targets.js';

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

  // What OpenSSH's valid_hostname/valid_ruser refuse is a usage error here, before any look-up.
  it.each(['a b', 'host;rm -rf /', '::::', '1:2:3', 'host$(id)', 'a|b', '-oProxyCommand=x', '.hidden', 'x\ty', 'bell\u0007', '-u@host', 'us er@host', "o'neil@host", '[not v6!]:22'])(
    'refuses %j as a usage error',
    (text) => {
      expect(() => parseTarget(text)).toThrow(UsageError);
    },
  );

  it.each(['web_1.example', 'DOMAIN\\alice@host', 'alice@corp@host', '[fe80::1%eth0]:22', '10.0.0.5:2222', 'xn--bcher-kva.example'])('accepts %j', (text) => {
    expect(parseTarget(text).kind).toBe('ssh');
  });
});
