import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { dockerEndpoint, parseContextList, planContexts, type ExistingContext } from '../../src/contexts/docker-contexts.js';
import type { HostEntry } from '../../src/inventory/types.js';
import type { TargetSpec } from '../../src/transport/types.js';

const entry = (name: string, spec: Partial<TargetSpec> = {}): HostEntry => ({
  name,
  spec: { name, kind: 'ssh', host: name, ...spec },
  groups: [],
  vars: {},
});
const ctx = (name: string, endpoint: string, description = `dockhand: ${name}`): ExistingContext => ({ name, endpoint, description, current: false });

describe('dockerEndpoint', () => {
  it.each<[Partial<TargetSpec>, string]>([
    [{ host: 'web-1', user: 'admin', port: 2222 }, 'ssh://admin@web-1:2222'],
    [{ host: '198.18.0.5' }, 'ssh://198.18.0.5'],
    [{ host: '::1', user: 'me', port: 22 }, 'ssh://me@[::1]:22'],
  ])('%j → %s', (spec, want) => {
    expect(dockerEndpoint({ name: 'x', kind: 'ssh', ...spec })).toBe(want);
  });
});

describe('parseContextList', () => {
  it('reads one JSON object per line, and the older array form', () => {
    const line = '{"Current":true,"Description":"d","DockerEndpoint":"unix:///var/run/docker.sock","Error":"","Name":"default"}';
    const want = [{ name: 'default', endpoint: 'unix:///var/run/docker.sock', current: true, description: 'd' }];
    expect(parseContextList(`${line}\n`)).toEqual(want);
    expect(parseContextList(`[${line}]`)).toEqual(want);
    expect(parseContextList('')).toEqual([]);
    expect(() => parseContextList('nope')).toThrow(/not JSON/);
  });
});

describe('planContexts', () => {
  const hosts = [
    entry('new-1', { user: 'admin', port: 2222 }),
    entry('same-2', { user: 'admin' }),
    entry('moved-3', { host: '198.18.0.3' }),
    { name: 'local', spec: { name: 'local', kind: 'local' }, groups: [], vars: {} } satisfies HostEntry,
    entry('a@bee:23', { host: 'bee', user: 'a', port: 23 }),
    entry('bad name', { host: 'bad host' }),
  ];
  const existing = [ctx('default', 'unix:///var/run/docker.sock', 'x'), ctx('same-2', 'ssh://admin@same-2'), ctx('moved-3', 'ssh://moved-3')];

  it('creates missing contexts, updates moved ones, leaves right ones alone, skips what cannot be a context', () => {
    const plan = planContexts(hosts, existing);
    expect(plan.actions.map((a) => [a.context, a.action, a.argv])).toEqual([
      ['new-1', 'create', ['context', 'create', 'new-1', '--description', 'dockhand: new-1', '--docker', 'host=ssh://admin@new-1:2222']],
      ['same-2', 'unchanged', undefined],
      ['moved-3', 'update', ['context', 'update', 'moved-3', '--docker', 'host=ssh://198.18.0.3']],
      ['local', 'skip', undefined],
      ['bee', 'create', ['context', 'create', 'bee', '--description', 'dockhand: a@bee:23', '--docker', 'host=ssh://a@bee:23']],
      ['bad name', 'skip', undefined],
    ]);
    expect(plan.use).toBeUndefined();
    expect(plan.warnings).toEqual([]);
  });

  it('never switches the current context unless asked', () => {
    const plan = planContexts(hosts, existing, { use: 'new-1' });
    expect(plan.use).toEqual({ context: 'new-1', argv: ['context', 'use', 'new-1'] });
    expect(() => planContexts(hosts, existing, { use: 'nope' })).toThrow(UsageError);
  });

  it('is converged after its own changes', () => {
    const first = planContexts(hosts, existing);
    const after = [...existing.filter((c) => !first.actions.some((a) => a.context === c.name)), ...first.actions.filter((a) => a.endpoint).map((a) => ctx(a.context, a.endpoint!))];
    expect(planContexts(hosts, after).actions.filter((a) => a.argv)).toEqual([]);
  });

  it('prefixes names and warns where docker cannot follow the inventory (jump host, key, foreign context)', () => {
    const plan = planContexts(
      [entry('j', { jump: 'bastion', identityFiles: ['/k/id'] }), entry('theirs')],
      [ctx('dh-theirs', 'ssh://elsewhere', 'made by hand')],
      { prefix: 'dh-' },
    );
    expect(plan.actions.map((a) => [a.context, a.action])).toEqual([['dh-j', 'create'], ['dh-theirs', 'update']]);
    expect(plan.warnings[0]).toBe("j: docker's ssh reads ~/.ssh/config for the jump host/key; add:\nHost j\n  ProxyJump bastion\n  IdentityFile /k/id");
    expect(plan.warnings[1]).toMatch(/'dh-theirs' was not made by dockhand/);
  });

  it('a host resolved through --ssh-config / ssh_config: docker cannot read that file, so say so', () => {
    const plan = planContexts([entry('box', { host: 'box', sshConfigFile: '/v/ssh_config' })], []);
    expect(plan.actions.map((a) => a.action)).toEqual(['create']);
    expect(plan.warnings).toEqual(["box: resolved through /v/ssh_config, but docker's ssh reads only ~/.ssh/config: copy the Host box block there"]);
  });
});
