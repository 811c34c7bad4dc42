/**
 * Which endpoint the docker CLI would REALLY use, and why — a pure function of the checked user's
 * environment, config.json and context metadata. Order (the CLI's): --context/-H (not applicable),
 * DOCKER_HOST, DOCKER_CONTEXT, config.json currentContext, the default socket.
 */
import { createHash } from 'node:crypto';
import type { ClientEvidence } from './evidence.js';
export { parseEndpoint, type ParsedEndpoint } from './endpoint-url.js';

export const DEFAULT_ENDPOINT = 'unix:///var/run/docker.sock';

export type EndpointSource = 'DOCKER_HOST' | 'DOCKER_CONTEXT' | 'currentContext' | 'default';

export interface ResolvedEndpoint {
  endpoint: string;
  source: EndpointSource;
  /** The context in use (never set when DOCKER_HOST decides). */
  context?: string;
  /** Human-readable: why this endpoint. */
  why: string;
  /** The endpoint SDKs (dockerode, docker-py…) use: they read DOCKER_HOST only. */
  sdkEndpoint: string;
  /** The endpoint the selected context would give if DOCKER_HOST were unset. */
  contextEndpoint?: string;
  /** The context a set DOCKER_HOST silently overrides. */
  shadowedContext?: string;
  /** A context is selected but has no metadata: the CLI fails with "context not found". */
  missingContext?: string;
  configPath: string;
}

/** Directory name of a context's metadata: the hex sha256 of its name. */
export function contextDirName(name: string): string {
  return createHash('sha256').update(name).digest('hex');
}

export function contextEndpoint(meta: Record<string, string>, name: string): string | undefined {
  const raw = meta[contextDirName(name)];
  if (raw === undefined) return undefined;
  try {
    const host = JSON.parse(raw)?.Endpoints?.docker?.Host;
    return typeof host === 'string' && host !== '' ? host : DEFAULT_ENDPOINT;
  } catch {
    return undefined;
  }
}

export function currentContextOf(configJson: string | undefined): string | undefined {
  if (!configJson) return undefined;
  try {
    const value = JSON.parse(configJson)?.currentContext;
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

export function resolveEndpoint(client: Pick<ClientEvidence, 'env' | 'configJson' | 'contextMeta'>): ResolvedEndpoint {
  const env = client.env;
  const configPath = client.configJson.path;
  const fromConfig = currentContextOf(client.configJson.content);
  const envContext = env.DOCKER_CONTEXT || undefined;
  const selected = envContext ?? fromConfig;
  const selectedBy = envContext ? 'DOCKER_CONTEXT' : `currentContext in ${configPath}`;
  const viaContext = selected && selected !== 'default' ? contextEndpoint(client.contextMeta, selected) : undefined;
  const sdkEndpoint = env.DOCKER_HOST || DEFAULT_ENDPOINT;

  if (env.DOCKER_HOST) {
    const shadowed = selected && selected !== 'default' ? selected : undefined;
    return {
      endpoint: env.DOCKER_HOST,
      source: 'DOCKER_HOST',
      why: `DOCKER_HOST is set${shadowed ? ` (it silently overrides context "${shadowed}" selected by ${selectedBy})` : ''}`,
      sdkEndpoint,
      contextEndpoint: viaContext,
      shadowedContext: shadowed,
      configPath,
    };
  }
  if (selected && selected !== 'default') {
    const source: EndpointSource = envContext ? 'DOCKER_CONTEXT' : 'currentContext';
    if (viaContext === undefined) {
      return {
        endpoint: DEFAULT_ENDPOINT,
        source,
        context: selected,
        why: `context "${selected}" is selected by ${selectedBy} but has no metadata (${contextDirName(selected)}/meta.json)`,
        sdkEndpoint,
        missingContext: selected,
        configPath,
      };
    }
    return {
      endpoint: viaContext,
      source,
      context: selected,
      why: `context "${selected}" selected by ${selectedBy}`,
      sdkEndpoint,
      contextEndpoint: viaContext,
      configPath,
    };
  }
  return {
    endpoint: DEFAULT_ENDPOINT,
    source: 'default',
    context: selected,
    why: selected === 'default' ? `context "default" selected by ${selectedBy}` : 'no DOCKER_HOST, no context selected: the default socket',
    sdkEndpoint,
    configPath,
  };
}
