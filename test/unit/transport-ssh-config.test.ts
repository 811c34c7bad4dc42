import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { expandPath, parseSshG, type SshConfig } from '../../src/transport/ssh-config.js';
import { hostKeyAlgorithms } from '../../src/transport/ssh/algorithms.js';
import { parseJump } from '../../src/transport/ssh/hops.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/ssh-G/${name}`, import.meta.url), 'utf8');
const HOME = '/home/fixture';

// Fixtures are real `ssh -G` output from OpenSSH 9.2 (defaults.txt: no config; web.txt: a Host block).
describe('parseSshG', () => {
  it.each<[string, Partial<SshConfig>]>([
    [
      'defaults.txt',
      {
        hostname: 'example.com',
        user: 'root',
        port: 22,
        identitiesOnly: false,
        proxyJump: undefined,
        connectTimeoutSec: undefined,
        serverAliveIntervalSec: undefined,
        identityFiles: ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'].map((k) => `${HOME}/.ssh/${k}`),
      },
    ],
    [
      'web.txt',
      {
        hostname: '10.1.2.3',
        user: 'deploy',
        port: 2222,
        identitiesOnly: true,
        proxyJump: 'bastion@jump.example:2200,hop2',
        identityAgent: `${HOME}/agent.sock`,
        connectTimeoutSec: 7,
        serverAliveIntervalSec: 30,
        identityFiles: [`${HOME}/.ssh/deploy_key`, '/keys/deploy-10.1.2.3'],
      },
    ],
    ['none.txt', { identityAgent: 'none', proxyJump: undefined, port: undefined, identityFiles: [] }],
    ['', { identityFiles: [], hostname: undefined }],
  ])('%s', (name, want) => {
    const got = parseSshG(name ? fixture(name) : '', HOME);
    for (const [field, value] of Object.entries(want)) expect(got[field as keyof SshConfig], field).toEqual(value);
  });

  it('host-key settings: StrictHostKeyChecking normalised, UserKnownHostsFile split and expanded', () => {
    expect(parseSshG(fixture('defaults.txt'), HOME)).toMatchObject({
      strictHostKeyChecking: 'ask',
      userKnownHostsFiles: [`${HOME}/.ssh/known_hosts`, `${HOME}/.ssh/known_hosts2`],
    });
    // What `ssh -G` prints for Vagrant's `StrictHostKeyChecking no` / `UserKnownHostsFile /dev/null`.
    expect(parseSshG('stricthostkeychecking false\nuserknownhostsfile /dev/null\n', HOME)).toMatchObject({
      strictHostKeyChecking: 'no',
      userKnownHostsFiles: ['/dev/null'],
    });
    expect(parseSshG('stricthostkeychecking accept-new\nuserknownhostsfile none\n', HOME)).toMatchObject({
      strictHostKeyChecking: 'accept-new',
      userKnownHostsFiles: [],
    });
    expect(parseSshG('stricthostkeychecking true\nuserknownhostsfile ~/kh %d/kh2\n', HOME)).toMatchObject({
      strictHostKeyChecking: 'yes',
      userKnownHostsFiles: [`${HOME}/kh`, `${HOME}/kh2`],
    });
    expect(parseSshG('stricthostkeychecking maybe\n', HOME).strictHostKeyChecking).toBeUndefined();
  });

  it('keys are case-insensitive and the first value wins, as in ssh_config', () => {
    expect(parseSshG('HostName a\nhostname b\nPort 1\n', HOME)).toMatchObject({ hostname: 'a', port: 1 });
  });
});

describe('expandPath', () => {
  it.each([
    ['~/.ssh/id', '/h/.ssh/id'],
    ['~', '/h'],
    ['%d/k', '/h/k'],
    ['/k/%u@%h', '/k/me@box'],
    ['/k/%%', '/k/%'],
    ['/k/%r', '/k/%r'],
    ['/abs/~/x', '/abs/~/x'],
  ])('%s → %s', (input, want) => {
    expect(expandPath(input, { home: '/h', user: 'me', host: 'box' })).toBe(want);
  });
});

describe('parseJump', () => {
  it.each([
    ['bastion', { host: 'bastion', user: undefined, port: undefined }],
    ['ops@bastion:2200', { host: 'bastion', user: 'ops', port: 2200 }],
    ['ssh://ops@bastion:2200', { host: 'bastion', user: 'ops', port: 2200 }],
    [' ops@[fd00::1]:22 ', { host: 'fd00::1', user: 'ops', port: 22 }],
  ])('%s', (text, want) => {
    expect(parseJump(text)).toEqual(want);
  });
});

describe('hostKeyAlgorithms', () => {
  it('asks for key types already in known_hosts first, keeping all others', () => {
    const all = hostKeyAlgorithms([]);
    expect(all[0]).toBe('ssh-ed25519');
    const rsa = hostKeyAlgorithms(['ssh-rsa']);
    expect(rsa.slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect([...rsa].sort()).toEqual([...all].sort());
    expect(hostKeyAlgorithms(['ecdsa-sha2-nistp384', 'ssh-ed25519']).slice(0, 2)).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp384']);
  });
});
