/**
 * Syntax of the values a user gives dockhand (flags and inventory fields alike), checked before
 * anything connects. Each rule returns why a value is wrong, or undefined when it is fine, so the
 * caller can blame the right thing: a flag (usage error, 64) or an inventory field (file:line, 65).
 */
import { isIP } from 'node:net';

/**
 * Characters OpenSSH's ssh.c refuses in a host name (valid_hostname) and a login user (valid_ruser):
 * a name reaching `ssh -G` meets `Match exec "... %h"` (a shell) on older OpenSSH, so dockhand
 * refuses the same names before any look-up. Whitespace and control characters are refused too.
 */
const SSH_METACHARACTERS = /['`"$\\;&<>|(){},]/;
const SPACE_OR_CONTROL = /[\s\p{Cc}]/u;
/** A DNS name or an ssh_config alias: letters, digits, `.`, `-`, `_`; not starting with `-` or `.`. */
const HOST_NAME = /^[\p{L}\p{N}_][\p{L}\p{N}_.-]*$/u;

export function hostNameProblem(host: string): string | undefined {
  if (host === '') return 'empty host name';
  if (host.includes(':') || host.includes('%')) {
    // A colon only appears in an IPv6 address (host:port is split off before this is called).
    return isIP(host) === 6 ? undefined : `'${host}' is not a valid IPv6 address`;
  }
  if (isIP(host) === 4) return undefined;
  if (SPACE_OR_CONTROL.test(host)) return `host name '${printable(host)}' contains whitespace or control characters`;
  if (SSH_METACHARACTERS.test(host)) return `host name '${host}' contains shell metacharacters`;
  if (!HOST_NAME.test(host)) return `'${host}' is not a valid host name (letters, digits, '.', '-', '_'; not starting with '-' or '.')`;
  return undefined;
}

/** An SSH login user: what OpenSSH's valid_ruser accepts, minus whitespace (AD names `DOM\user` and `a@corp` pass). */
export function loginUserProblem(user: string): string | undefined {
  if (user === '') return 'empty user name';
  if (user.startsWith('-')) return `user name '${user}' starts with '-'`;
  if (SPACE_OR_CONTROL.test(user)) return `user name '${printable(user)}' contains whitespace or control characters`;
  if (/['`";&<>|(){}]/.test(user) || user.endsWith('\\')) return `user name '${user}' contains shell metacharacters`;
  return undefined;
}

/** A local account to add to the docker group (the portable POSIX/shadow-utils form; `$` ends machine accounts). */
export function accountNameProblem(name: string): string | undefined {
  return /^[a-z_][a-z0-9_.-]*\$?$/i.test(name) && name.length <= 32 ? undefined : `'${printable(name)}' is not a valid user name`;
}

/**
 * `28`, `28.1`, `28.1.1` (resolved on the host to the newest matching package), or an exact package
 * version as apt/dnf list it: `5:28.1.1-1~debian.12~bookworm`, `3:28.1.1-1.el9`.
 */
export const DOCKER_VERSION = /^(?:\d+:)?\d+(?:\.\d+){0,2}(?:[-~+][A-Za-z0-9.+~_-]*)?$/;

export function dockerVersionProblem(version: string): string | undefined {
  return DOCKER_VERSION.test(version)
    ? undefined
    : `'${printable(version)}' is not a version: expected 28.1, 28.1.1 or an exact package version such as 5:28.1.1-1~debian.12~bookworm`;
}

/** An os-release ID or codename (`debian`, `opensuse-leap`, `bookworm`): what playbooks are matched by. */
export function releaseNameProblem(name: string): string | undefined {
  return /^[a-z0-9][a-z0-9._-]*$/.test(name) ? undefined : `'${printable(name)}' is not an os-release ID or codename (lower-case letters, digits, '.', '_', '-')`;
}

export function mirrorProblem(url: string): string | undefined {
  return /^https?:\/\/[^\s'"\\`$]+$/.test(url) ? undefined : `'${printable(url)}' is not an http(s) URL`;
}

export function normalizeFingerprint(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

export function fingerprintProblem(value: string): string | undefined {
  return /^[0-9A-F]{40}$/.test(normalizeFingerprint(value)) ? undefined : `'${printable(value)}' is not a key fingerprint (40 hex digits)`;
}

/** A port number 1–65535 given as text. */
export function portProblem(text: string): string | undefined {
  const n = Number(text);
  return /^\d+$/.test(text) && n >= 1 && n <= 65535 ? undefined : `bad port '${printable(text)}'`;
}

/** One `[user@]host[:port]` (a jump hop, or the host part of -H); IPv6 in brackets when a port follows. */
export function splitHostPort(text: string): { user?: string; host: string; port?: string } | string {
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  let rest = at >= 0 ? text.slice(at + 1) : text;
  let port: string | undefined;
  let host: string;
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) return `missing ']'`;
    host = rest.slice(1, end);
    rest = rest.slice(end + 1);
    if (rest.startsWith(':')) port = rest.slice(1);
    else if (rest !== '') return `unexpected '${printable(rest)}' after ']'`;
  } else {
    const colon = rest.lastIndexOf(':');
    // More than one colon without brackets is a bare IPv6 address, not host:port.
    if (colon >= 0 && rest.indexOf(':') === colon) {
      host = rest.slice(0, colon);
      port = rest.slice(colon + 1);
    } else host = rest;
  }
  return { user, host, port };
}

/** Why `[user@]host[:port]` is wrong, checking each part. */
export function targetProblem(text: string): string | undefined {
  const parts = splitHostPort(text);
  if (typeof parts === 'string') return parts;
  if (parts.user !== undefined) {
    const bad = loginUserProblem(parts.user);
    if (bad) return bad;
  }
  if (parts.port !== undefined) {
    const bad = portProblem(parts.port);
    if (bad) return bad;
  }
  return hostNameProblem(parts.host);
}

/** A ProxyJump chain: comma-separated `[ssh://][user@]host[:port]` hops. */
export function jumpProblem(chain: string): string | undefined {
  for (const hop of chain.split(',')) {
    const bad = targetProblem(hop.trim().replace(/^ssh:\/\//, ''));
    if (bad) return `jump host '${printable(hop)}': ${bad}`;
  }
  return undefined;
}

/** For messages: control characters shown as escapes, so a bad value cannot garble the terminal. */
export function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
