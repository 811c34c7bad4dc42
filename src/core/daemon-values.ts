/**
 * Syntax of the daemon settings a user gives (flags and the inventory's `daemon:` alike), checked
 * before anything connects; each rule returns why a value is wrong, or undefined (as values.ts).
 */
import { printable } from './text.js';

/** A daemon.json key path: `log-level`, or dotted into an object, `log-opts.max-size`. */
const KEY_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function daemonKeyProblem(key: string): string | undefined {
  return key.split('.').every((s) => KEY_SEGMENT.test(s))
    ? undefined
    : `'${printable(key)}' is not a daemon.json key (letters, digits, '-', '_'; '.' goes into an object: log-opts.max-size)`;
}

/**
 * `--daemon-opt KEY=VALUE`: VALUE is JSON (`true`, `3`, `["a"]`, `{"k":"v"}`, `null` removes the key);
 * anything that is not JSON is a string, so `log-level=warn` needs no quotes.
 */
export function parseDaemonOpt(text: string): { key: string; value: unknown } | { problem: string } {
  const eq = text.indexOf('=');
  if (eq <= 0) return { problem: `'${printable(text)}' is not KEY=VALUE` };
  const key = text.slice(0, eq);
  const problem = daemonKeyProblem(key);
  if (problem) return { problem };
  const raw = text.slice(eq + 1);
  try {
    return { key, value: JSON.parse(raw) };
  } catch {
    return { key, value: raw };
  }
}

/** json-file/local `max-size`: a number with k, m or g (dockerd's units). */
export function logSizeProblem(size: string): string | undefined {
  return /^[1-9]\d*[kmg]$/.test(size) ? undefined : `'${printable(size)}' is not a log size (e.g. 10m, 500k, 1g)`;
}

export function logFileCountProblem(n: number): string | undefined {
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? undefined : `'${n}' is not a number of log files (1–1000)`;
}

/** dockerd accepts a mirror as scheme://host[:port] only (no path, query or credentials). */
export function registryMirrorProblem(url: string): string | undefined {
  return /^https?:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?\/?$/.test(url) || /^https?:\/\/\[[0-9A-Fa-f:.]+\](?::\d{1,5})?\/?$/.test(url)
    ? undefined
    : `'${printable(url)}' is not a registry mirror (http(s)://host[:port], no path)`;
}

/** As the daemon normalises a mirror (docker info shows it so): with one trailing slash. */
export function normalizeMirror(url: string): string {
  return `${url.replace(/\/+$/, '')}/`;
}

export function dataRootProblem(path: string): string | undefined {
  if (!path.startsWith('/') || path === '/') return `'${printable(path)}' is not an absolute directory path`;
  if (/[\s\p{Cc}'"`$\\]/u.test(path) || path.split('/').includes('..')) return `'${printable(path)}' contains characters dockhand will not put in a path`;
  return undefined;
}

export function proxyProblem(url: string): string | undefined {
  return /^(?:https?|socks5h?):\/\/[^\s'"\\`$]+$/.test(url) ? undefined : `'${printable(url)}' is not a proxy URL (http://, https:// or socks5://)`;
}

/** `--no-proxy` / NO_PROXY: comma-separated hosts, domains, CIDRs. */
export function noProxyProblem(list: string): string | undefined {
  return /^[A-Za-z0-9.*:/\[\]_-]+(?:,[A-Za-z0-9.*:/\[\]_-]+)*$/.test(list) ? undefined : `'${printable(list)}' is not a comma-separated host list`;
}

/**
 * The credentials a URL carries (`scheme://user:password@host`), raw and percent-decoded: what must
 * be registered as secrets so no writer prints them (the plan's scripts hold the URL as given).
 */
export function urlCredentials(url: string): string[] {
  const userinfo = /^[a-z][a-z0-9+.-]*:\/\/([^@/]*)@/i.exec(url)?.[1];
  if (!userinfo) return [];
  const password = userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : '';
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return [...new Set([userinfo, password, decode(password)])].filter((s) => s !== '');
}

/** A proxy URL for the plan's text: credentials hidden. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z0-9]+:\/\/)[^@/]*@/i, '$1***@');
}
