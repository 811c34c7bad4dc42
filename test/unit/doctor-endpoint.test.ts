/** Endpoint resolution fixture table: env / config.json / context metadata combinations. */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { contextDirName, resolveEndpoint, type EndpointSource } from '../../src/doctor/endpoint.js';
import type { DockerEnv } from '../../src/doctor/evidence.js';

const meta = (name: string, host?: string) => ({
  [createHash('sha256').update(name).digest('hex')]: JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: host === undefined ? {} : { Host: host } } }),
});
const CONTEXTS = { ...meta('desktop-linux', 'unix:///home/a/.docker/desktop/docker.sock'), ...meta('remote', 'ssh://me@box'), ...meta('nohost') };

interface Row {
  name: string;
  env?: DockerEnv;
  config?: string;
  endpoint: string;
  source: EndpointSource;
  context?: string;
  sdk?: string;
  shadowed?: string;
  missing?: string;
}

const rows: Row[] = [
  { name: 'nothing set', endpoint: 'unix:///var/run/docker.sock', source: 'default' },
  { name: 'DOCKER_HOST only', env: { DOCKER_HOST: 'tcp://10.0.0.5:2376' }, endpoint: 'tcp://10.0.0.5:2376', source: 'DOCKER_HOST', sdk: 'tcp://10.0.0.5:2376' },
  { name: 'currentContext in config.json', config: '{"currentContext":"desktop-linux"}', endpoint: 'unix:///home/a/.docker/desktop/docker.sock', source: 'currentContext', context: 'desktop-linux', sdk: 'unix:///var/run/docker.sock' },
  { name: 'DOCKER_CONTEXT beats currentContext', env: { DOCKER_CONTEXT: 'remote' }, config: '{"currentContext":"desktop-linux"}', endpoint: 'ssh://me@box', source: 'DOCKER_CONTEXT', context: 'remote' },
  { name: 'DOCKER_HOST silently beats the current context', env: { DOCKER_HOST: 'unix:///run/x.sock' }, config: '{"currentContext":"desktop-linux"}', endpoint: 'unix:///run/x.sock', source: 'DOCKER_HOST', shadowed: 'desktop-linux' },
  { name: 'DOCKER_HOST beats DOCKER_CONTEXT', env: { DOCKER_HOST: 'unix:///run/x.sock', DOCKER_CONTEXT: 'remote' }, endpoint: 'unix:///run/x.sock', source: 'DOCKER_HOST', shadowed: 'remote' },
  { name: 'context "default" is the default socket', config: '{"currentContext":"default"}', endpoint: 'unix:///var/run/docker.sock', source: 'default', context: 'default' },
  { name: 'DOCKER_CONTEXT=default beats a config context', env: { DOCKER_CONTEXT: 'default' }, config: '{"currentContext":"remote"}', endpoint: 'unix:///var/run/docker.sock', source: 'default', context: 'default' },
  { name: 'selected context without metadata', config: '{"currentContext":"gone"}', endpoint: 'unix:///var/run/docker.sock', source: 'currentContext', context: 'gone', missing: 'gone' },
  { name: 'context without a docker Host', env: { DOCKER_CONTEXT: 'nohost' }, endpoint: 'unix:///var/run/docker.sock', source: 'DOCKER_CONTEXT', context: 'nohost' },
  { name: 'broken config.json is ignored', config: '{"currentContext":', endpoint: 'unix:///var/run/docker.sock', source: 'default' },
  { name: 'empty DOCKER_HOST counts as unset', env: { DOCKER_HOST: '' }, config: '{"currentContext":"remote"}', endpoint: 'ssh://me@box', source: 'currentContext', context: 'remote' },
];

describe('resolveEndpoint', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_n, r) => {
    const e = resolveEndpoint({
      env: r.env ?? {},
      configJson: { path: '/home/a/.docker/config.json', exists: r.config !== undefined, content: r.config },
      contextMeta: CONTEXTS,
    });
    expect(e.endpoint).toBe(r.endpoint);
    expect(e.source).toBe(r.source);
    expect(e.context).toBe(r.context);
    expect(e.sdkEndpoint).toBe(r.sdk ?? (r.env?.DOCKER_HOST || 'unix:///var/run/docker.sock'));
    expect(e.shadowedContext).toBe(r.shadowed);
    expect(e.missingContext).toBe(r.missing);
    expect(e.why.length).toBeGreaterThan(10);
  });

  it('finds context metadata under the sha256 of the name', () => {
    expect(contextDirName('desktop-linux')).toBe('fe9c6bd7a66301f49ca9b6a70b217107cd1284598bfc254700c989b916da791e');
  });
});
