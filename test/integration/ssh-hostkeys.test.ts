import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectError } from '../../src/core/errors.js';
import { createLogger, silentLogger } from '../../src/core/log.js';
import { fingerprint, hashHostName } from '../../src/transport/ssh/host-keys.js';
import { openTransport } from '../../src/transport/open.js';
import type { HostKeyPolicy } from '../../src/transport/types.js';
import { makeKey, sshdSpec, startSshd, tempKnownHosts, testConnectOptions, type Sshd } from '../harness/sshd.js';

// Host keys are checked against a real OpenSSH server: a refusal here means ssh2 really dropped the
// connection (the verifier's answer was honoured), not just that our parser said no.
let sshd: Sshd;
let other: { file: string; cleanup(): void };
let otherKeyLine: string;
const cleanups: Array<() => void> = [];

const spec = () => sshdSpec(sshd, { name: 'hk-host' });
const options = (knownHostsFile: string, hostKeyPolicy: HostKeyPolicy = 'strict') => testConnectOptions(knownHostsFile, { hostKeyPolicy });

function knownHosts(lines: string[]): string {
  const kh = tempKnownHosts(lines);
  cleanups.push(kh.cleanup);
  return kh.file;
}

async function refusal(file: string, policy: HostKeyPolicy = 'strict'): Promise<ConnectError> {
  const err = await openTransport(spec(), options(file, policy), silentLogger).then(
    async (t) => {
      await t.close();
      throw new Error('connected although the host key should have been refused');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectError);
  return err as ConnectError;
}

async function connects(file: string, policy: HostKeyPolicy = 'strict'): Promise<void> {
  const t = await openTransport(spec(), options(file, policy), silentLogger);
  try {
    expect((await t.exec('echo ok')).stdout).toBe('ok\n');
  } finally {
    await t.close();
  }
}

beforeAll(async () => {
  sshd = await startSshd();
  // A different, real ed25519 key: what a changed host (or an attacker) would present.
  other = tempKnownHosts();
  const pub = makeKey(join(other.file + '-key'));
  const [type, blob] = pub.split(' ');
  otherKeyLine = `[127.0.0.1]:${sshd.port} ${type} ${blob}`;
});

afterAll(async () => {
  await sshd?.stop();
  other?.cleanup();
  cleanups.forEach((c) => c());
});

describe('host key policy against a real sshd', () => {
  it('strict: a known key connects (and sshd logs the login)', async () => {
    const before = sshd.log().split('Accepted publickey').length;
    await connects(knownHosts([sshd.knownHostsLine()]));
    expect(sshd.log().split('Accepted publickey').length).toBe(before + 1);
  });

  it('strict: an unknown host is refused with its fingerprint and how to trust it', async () => {
    const file = knownHosts(['# empty']);
    const err = await refusal(file);
    expect(err.failure).toBe('host-key-unknown');
    const fp = fingerprint(sshd.hostKeyBlob);
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(err.message).toContain(fp);
    expect(err.hint).toContain(`ssh-keyscan -p ${sshd.port} 127.0.0.1 >>`);
    expect(err.hint).toContain('accept-new');
  });

  it('the fingerprint matches ssh-keygen -lf', async () => {
    const { execFileSync } = await import('node:child_process');
    const file = join(sshd.dir, 'host_ed25519.pub');
    const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], { encoding: 'utf8' });
    expect(out).toContain(fingerprint(sshd.hostKeyBlob));
  });

  it('strict: a CHANGED key is refused (no connection, no command)', async () => {
    const file = knownHosts([otherKeyLine]);
    const logins = () => sshd.log().split('Accepted publickey').length;
    const before = logins();
    const err = await refusal(file);
    expect(err.failure).toBe('host-key-changed');
    expect(logins()).toBe(before); // sshd never saw a login
    expect(err.message).toMatch(/HOST KEY CHANGED/);
    expect(err.message).toContain(fingerprint(sshd.hostKeyBlob));
    expect(err.hint).toContain('ssh-keygen -R');
  });

  it('accept-new: records an unknown key, then refuses a changed one', async () => {
    const file = knownHosts([]);
    rmSync(file, { force: true });
    await connects(file, 'accept-new');
    expect(readFileSync(file, 'utf8')).toBe(`${sshd.knownHostsLine()}\n`);
    await connects(file, 'strict'); // now known

    const changed = knownHosts([otherKeyLine]);
    const err = await refusal(changed, 'accept-new');
    expect(err.failure).toBe('host-key-changed');
    expect(readFileSync(changed, 'utf8')).toBe(`${otherKeyLine}\n`); // not overwritten
  });

  it('a hashed known_hosts entry is accepted', async () => {
    const [, type, blob] = sshd.knownHostsLine().split(' ');
    const hashed = hashHostName(`[127.0.0.1]:${sshd.port}`, randomBytes(20));
    await connects(knownHosts([`${hashed} ${type} ${blob}`]));
    // And a hashed entry for another port does not count.
    const wrongPort = hashHostName(`[127.0.0.1]:${sshd.port + 1}`, randomBytes(20));
    expect((await refusal(knownHosts([`${wrongPort} ${type} ${blob}`]))).failure).toBe('host-key-unknown');
  });

  it('a hashed entry written by ssh-keygen -H is accepted', async () => {
    const { execFileSync } = await import('node:child_process');
    const file = knownHosts([sshd.knownHostsLine()]);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    await connects(file);
  });

  it('@revoked refuses the key even when also listed as known', async () => {
    const [, type, blob] = sshd.knownHostsLine().split(' ');
    const err = await refusal(knownHosts([sshd.knownHostsLine(), `@revoked * ${type} ${blob}`]));
    expect(err.message).toMatch(/revoked/);
  });

  it('off: connects to anything, with a loud warning', async () => {
    let logged = '';
    const stream = { write: (s: string) => ((logged += s), true) } as unknown as NodeJS.WritableStream;
    const file = knownHosts([otherKeyLine]);
    const t = await openTransport(spec(), options(file, 'off'), createLogger({ stream }));
    await t.close();
    expect(logged).toMatch(/HOST KEY NOT VERIFIED/);
    expect(existsSync(file) && readFileSync(file, 'utf8')).toBe(`${otherKeyLine}\n`);
  });

  it('a known rsa key makes the client ask for the rsa host key first', async () => {
    // The server has only an ed25519 key here; recording an rsa key must not be mistaken as "matches".
    const err = await refusal(knownHosts([`[127.0.0.1]:${sshd.port} ssh-rsa ${Buffer.from('not-a-key').toString('base64')}`]));
    expect(err.failure).toBe('host-key-changed');
  });
});
