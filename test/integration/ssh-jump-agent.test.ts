import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { openTransport } from '../../src/transport/open.js';
import { JumpPool } from '../../src/transport/ssh/jump-pool.js';
import type { ConnectOptions, TargetSpec } from '../../src/transport/types.js';
import { startAgent, startSshd, tempKnownHosts, testConnectOptions, type Agent, type Sshd } from '../harness/sshd.js';

// Two real sshd instances (a jump host and a target), a real ssh-agent, and a real OpenSSH client
// config read through `ssh -G -F <file>`.
let jump: Sshd;
let target: Sshd;
let kh: ReturnType<typeof tempKnownHosts>;
let work: string;

const options = (over: Partial<ConnectOptions> = {}) => testConnectOptions(kh.file, over);

beforeAll(async () => {
  delete process.env.SSH_AUTH_SOCK;
  jump = await startSshd();
  // The target trusts the jump harness's client key too, so one key serves both hops.
  const { readFileSync } = await import('node:fs');
  target = await startSshd({ authorizedKeys: [readFileSync(`${jump.clientKeyPath}.pub`, 'utf8').trim()] });
  kh = tempKnownHosts([jump.knownHostsLine(), target.knownHostsLine()]);
  work = mkdtempSync(join(tmpdir(), 'dockhand-sshcfg-'));
});

afterAll(async () => {
  await target?.stop();
  await jump?.stop();
  kh?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const viaJump = (over: Partial<TargetSpec> = {}): TargetSpec => ({
  name: 'behind-jump',
  kind: 'ssh',
  host: '127.0.0.1',
  port: target.port,
  user: target.user,
  identityFiles: [jump.clientKeyPath],
  jump: `${jump.user}@127.0.0.1:${jump.port}`,
  ...over,
});

describe('ProxyJump', () => {
  it('reaches the target through the jump host', async () => {
    const jumpLogins = jump.log().split('Accepted publickey').length;
    const t = await openTransport(viaJump(), options(), silentLogger);
    try {
      expect((await t.exec('echo $SSH_CONNECTION')).stdout).toMatch(new RegExp(` ${target.port}\\n$`));
      expect(jump.log().split('Accepted publickey').length).toBe(jumpLogins + 1);
      await t.reconnect();
      expect((await t.exec('echo again')).stdout).toBe('again\n');
    } finally {
      await t.close();
    }
  });

  it('transports through the same jump host share one jump connection, closed with the last', async () => {
    const logins = () => jump.log().split('Accepted publickey').length;
    const before = logins();
    const ts = await Promise.all([1, 2, 3].map((i) => openTransport(viaJump({ name: `t${i}` }), options(), silentLogger)));
    expect(logins()).toBe(before + 1);
    const outs = await Promise.all(ts.map((t) => t.exec('echo ok')));
    expect(outs.map((o) => o.stdout)).toEqual(['ok\n', 'ok\n', 'ok\n']);
    await ts[0]!.close();
    await ts[1]!.close();
    expect((await ts[2]!.exec('echo still')).stdout).toBe('still\n');
    await ts[2]!.close();
    // The jump connection went with the last user: a new transport logs in again.
    const t = await openTransport(viaJump(), options(), silentLogger);
    try {
      expect(logins()).toBe(before + 2);
    } finally {
      await t.close();
    }
  });

  it('a JumpPool is its own: hosts share a login within a pool, not across pools; closeAll ends them', async () => {
    const logins = () => jump.log().split('Accepted publickey').length;
    const before = logins();
    const [a, b] = [new JumpPool(), new JumpPool()];
    const inA = await Promise.all([1, 2].map((i) => openTransport(viaJump({ name: `a${i}` }), options(), silentLogger, { jumps: a })));
    const inB = await openTransport(viaJump({ name: 'b1' }), options(), silentLogger, { jumps: b });
    try {
      expect(logins()).toBe(before + 2);
      expect([a.size, b.size]).toEqual([1, 1]);
      await a.closeAll();
      expect(a.size).toBe(0);
      // The pool's jump connection really ended: the next host through pool a logs in to the jump again.
      const again = await openTransport(viaJump({ name: 'a3' }), options(), silentLogger, { jumps: a });
      inA.push(again);
      expect(logins()).toBe(before + 3);
      expect((await inB.exec('echo still')).stdout).toBe('still\n');
    } finally {
      await Promise.all([...inA, inB].map((t) => t.close()));
    }
    expect(b.size).toBe(0);
  });

  it('a chain of two jumps (jump, then jump again) works', async () => {
    const hop = `${jump.user}@127.0.0.1:${jump.port}`;
    const t = await openTransport(viaJump({ jump: `${hop},${hop}` }), options(), silentLogger);
    try {
      expect((await t.exec('echo ok')).stdout).toBe('ok\n');
    } finally {
      await t.close();
    }
  });

  it('an unknown jump host key is a jump failure naming the jump host', async () => {
    const only = tempKnownHosts([target.knownHostsLine()]);
    try {
      const err = await openTransport(viaJump(), options({ knownHostsFile: only.file }), silentLogger).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).failure).toBe('jump');
      expect((err as ConnectError).message).toMatch(/jump host .*host-key-unknown/);
    } finally {
      only.cleanup();
    }
  });

  it('a target the jump host cannot reach is a jump failure', async () => {
    const { freePort } = await import('../harness/sshd.js');
    const err = await openTransport(viaJump({ port: await freePort() }), options(), silentLogger).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).failure).toBe('jump');
  });
});

describe('ssh-agent', () => {
  let agent: Agent;
  beforeAll(async () => {
    agent = await startAgent([target.clientKeyPath]);
  });
  afterAll(async () => {
    delete process.env.SSH_AUTH_SOCK;
    await agent?.stop();
  });

  it('logs in with a key held only by the agent (no key file given)', async () => {
    process.env.SSH_AUTH_SOCK = agent.socket;
    const spec: TargetSpec = { name: 'agent', kind: 'ssh', host: '127.0.0.1', port: target.port, user: target.user };
    const t = await openTransport(spec, options(), silentLogger);
    try {
      expect((await t.exec('echo agent-ok')).stdout).toBe('agent-ok\n');
    } finally {
      await t.close();
    }
  });

  it('without the agent the same login fails with an auth error', async () => {
    delete process.env.SSH_AUTH_SOCK;
    const spec: TargetSpec = { name: 'agent', kind: 'ssh', host: '127.0.0.1', port: target.port, user: target.user };
    const err = await openTransport(spec, options(), silentLogger).catch((e: unknown) => e);
    expect((err as ConnectError).failure).toBe('auth');
  });
});

describe('OpenSSH client config via ssh -G', () => {
  it('HostName, Port, User, IdentityFile and ProxyJump come from the config file', async () => {
    const config = join(work, 'config');
    writeFileSync(
      config,
      [
        'Host jumpbox',
        '  HostName 127.0.0.1',
        `  Port ${jump.port}`,
        `  User ${jump.user}`,
        `  IdentityFile ${jump.clientKeyPath}`,
        'Host app-server',
        '  HostName 127.0.0.1',
        `  Port ${target.port}`,
        `  User ${target.user}`,
        `  IdentityFile ${jump.clientKeyPath}`,
        '  ProxyJump jumpbox',
        '',
      ].join('\n'),
    );
    const before = jump.log().split('Accepted publickey').length;
    const t = await openTransport(
      { name: 'app-server', kind: 'ssh', host: 'app-server' },
      options({ useSshConfig: true, sshConfigFile: config }),
      silentLogger,
    );
    try {
      expect((await t.exec('echo $SSH_CONNECTION')).stdout).toMatch(new RegExp(` ${target.port}\\n$`));
      expect(jump.log().split('Accepted publickey').length).toBe(before + 1);
    } finally {
      await t.close();
    }
  });

  it('a port on the command line overrides the config', async () => {
    const config = join(work, 'config2');
    writeFileSync(config, `Host box\n  HostName 127.0.0.1\n  Port 1\n  IdentityFile ${target.clientKeyPath}\n`);
    const t = await openTransport(
      { name: 'box', kind: 'ssh', host: 'box', port: target.port },
      options({ useSshConfig: true, sshConfigFile: config }),
      silentLogger,
    );
    try {
      expect((await t.exec('echo $SSH_CONNECTION')).stdout).toMatch(new RegExp(` ${target.port}\n$`));
    } finally {
      await t.close();
    }
  });
});
