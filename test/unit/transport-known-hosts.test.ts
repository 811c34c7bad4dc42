import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import {
  checkHostKey,
  fingerprint,
  hashHostName,
  keyTypeOf,
  knownHostsLine,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
} from '../../src/transport/ssh/host-keys.js';

/** A syntactically real key blob: string type, then some key bytes. */
function blob(type: string, seed: string): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, createHash('sha256').update(seed).digest()]);
}
const A = blob('ssh-ed25519', 'a');
const B = blob('ssh-ed25519', 'b');
const R = blob('ssh-rsa', 'r');
const b64 = (k: Buffer) => k.toString('base64');
// A fixed salt so the hashed line is a stable fixture; the hash itself is checked against OpenSSH below.
const SALT = Buffer.from('0123456789abcdefghij');

const FILE = [
  '# comment',
  '',
  `web1,10.0.0.5 ssh-ed25519 ${b64(A)}`,
  `[web2]:2222 ssh-ed25519 ${b64(A)} a comment`,
  `${hashHostName('hashed.example', SALT)} ssh-ed25519 ${b64(A)}`,
  `*.lab,!bad.lab ssh-ed25519 ${b64(A)}`,
  `old ssh-rsa ${b64(R)}`,
  `@revoked * ssh-ed25519 ${b64(B)}`,
  `@cert-authority *.corp ssh-ed25519 ${b64(B)}`,
  `@bogus-marker web1 ssh-ed25519 ${b64(B)}`,
  'malformed-line-without-key',
].join('\n');

describe('parseKnownHosts', () => {
  const entries = parseKnownHosts(FILE);
  it('reads entries with their line numbers and markers, skipping comments and junk', () => {
    expect(entries.map((e) => [e.line, e.marker, e.patterns.join(','), e.keyType])).toEqual([
      [3, undefined, 'web1,10.0.0.5', 'ssh-ed25519'],
      [4, undefined, '[web2]:2222', 'ssh-ed25519'],
      [5, undefined, hashHostName('hashed.example', SALT), 'ssh-ed25519'],
      [6, undefined, '*.lab,!bad.lab', 'ssh-ed25519'],
      [7, undefined, 'old', 'ssh-rsa'],
      [8, 'revoked', '*', 'ssh-ed25519'],
      [9, 'cert-authority', '*.corp', 'ssh-ed25519'],
    ]);
  });

  it.each<[string, number, Buffer, string]>([
    ['web1', 22, A, 'known'],
    ['10.0.0.5', 22, A, 'known'],
    ['WEB1', 22, A, 'known'],
    ['web1', 22, R, 'changed'],
    ['web1', 2222, A, 'unknown'],
    ['web2', 2222, A, 'known'],
    ['web2', 22, A, 'unknown'],
    ['hashed.example', 22, A, 'known'],
    ['hashed.example', 22, R, 'changed'],
    ['other.example', 22, A, 'unknown'],
    ['db.lab', 22, A, 'known'],
    ['bad.lab', 22, A, 'unknown'],
    ['old', 22, R, 'known'],
    ['old', 22, A, 'changed'],
    ['anything', 22, B, 'revoked'],
    ['x.corp', 22, A, 'unknown'],
  ])('%s port %i → %s', (host, port, key, status) => {
    expect(checkHostKey(entries, knownHostsName(host, port), key).status).toBe(status);
  });

  it('a changed key reports the lines it differs from', () => {
    expect(checkHostKey(entries, 'web1', R)).toEqual({ status: 'changed', knownTypes: ['ssh-ed25519'], lines: [3] });
  });

  it('lists known key types for a host', () => {
    expect(knownKeyTypes(entries, 'old')).toEqual(['ssh-rsa']);
    expect(knownKeyTypes(entries, 'nobody-knows')).toEqual([]);
  });
});

describe('hashed names', () => {
  it('match OpenSSH HashKnownHosts: HMAC-SHA1 keyed by the salt, over the name', () => {
    // Vector from `printf hashed.example | openssl dgst -sha1 -hmac 0123456789abcdefghij -binary | base64`.
    expect(hashHostName('hashed.example', SALT)).toBe('|1|MDEyMzQ1Njc4OWFiY2RlZmdoaWo=|KUUijchiu6PXKh5QH01UYx6Y1v8=');
    expect(hashHostName('[h]:2222', SALT)).not.toBe(hashHostName('h', SALT));
  });
});

describe('fingerprints and lines', () => {
  it('OpenSSH SHA256 form: unpadded base64', () => {
    const fp = fingerprint(A);
    expect(fp).toBe(`SHA256:${createHash('sha256').update(A).digest('base64').replace(/=+$/, '')}`);
    expect(fp).not.toContain('=');
  });

  it('reads the key type from the blob and writes a known_hosts line', () => {
    expect(keyTypeOf(R)).toBe('ssh-rsa');
    expect(knownHostsLine(knownHostsName('127.0.0.1', 2200), A)).toBe(`[127.0.0.1]:2200 ssh-ed25519 ${b64(A)}`);
    expect(knownHostsName('h', 22)).toBe('h');
  });
});
