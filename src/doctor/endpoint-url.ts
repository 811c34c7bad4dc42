/**
 * Endpoint URLs as the docker CLI parses them (pure, no imports: the API queries and the endpoint
 * resolution both use it).
 */
/** An endpoint as the docker CLI reads it, or why the CLI refuses it. */
export type ParsedEndpoint =
  | { scheme: 'unix'; path: string }
  | { scheme: 'tcp'; host: string; port: number }
  | { scheme: 'ssh'; user?: string; host: string; port?: number }
  | { scheme: 'invalid'; reason: string };

/**
 * The CLI's own rules (docker/cli ParseHostURL + connhelper): unix://PATH, tcp://HOST:PORT (2375
 * without a port), ssh://[USER@]HOST[:PORT]; npipe:// is Windows-only and fd:// is for dockerd's
 * socket activation — a client cannot use either. Anything else makes every command fail.
 */
export function parseEndpoint(url: string): ParsedEndpoint {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/.exec(url);
  if (!m) return { scheme: 'invalid', reason: `"${url}" has no scheme (unix://, tcp:// or ssh://)` };
  const [, scheme, rest] = m as unknown as [string, string, string];
  switch (scheme.toLowerCase()) {
    case 'unix':
      return rest.startsWith('/') ? { scheme: 'unix', path: rest } : { scheme: 'invalid', reason: `unix:// needs an absolute socket path, not "${rest}"` };
    case 'tcp': {
      const hp = /^(\[[0-9a-fA-F:.]+\]|[^\s/:@\[\]]+)(?::(\d{1,5}))?\/?$/.exec(rest);
      const port = hp?.[2] === undefined ? 2375 : Number(hp[2]);
      if (!hp || port < 1 || port > 65535) return { scheme: 'invalid', reason: `tcp:// needs HOST:PORT, not "${rest}"` };
      return { scheme: 'tcp', host: hp[1]!.replace(/^\[|\]$/g, ''), port };
    }
    case 'ssh': {
      const sp = /^(?:([^\s@/:]+)@)?(\[[0-9a-fA-F:.]+\]|[^\s/:@\[\]]+)(?::(\d{1,5}))?\/?$/.exec(rest);
      if (!sp || sp[2]!.startsWith('-')) return { scheme: 'invalid', reason: `ssh:// needs [USER@]HOST[:PORT], not "${rest}"` };
      return { scheme: 'ssh', user: sp[1], host: sp[2]!.replace(/^\[|\]$/g, ''), port: sp[3] === undefined ? undefined : Number(sp[3]) };
    }
    case 'fd':
      return { scheme: 'invalid', reason: 'fd:// is how systemd hands dockerd its socket; a client cannot connect to it' };
    case 'npipe':
      return { scheme: 'invalid', reason: 'npipe:// is a Windows named pipe; it does not exist on Linux' };
    default:
      return { scheme: 'invalid', reason: `the docker CLI does not know the scheme ${scheme}://` };
  }
}

