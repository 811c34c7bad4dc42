/**
 * The SSH transport's failures as typed ConnectErrors (src/core/errors.ts: exit 4, one `failure`
 * kind each): what ssh2 reported, turned into a message naming the hop and a hint what to check.
 */
import { existsSync } from 'node:fs';
import { ConnectError } from '../../core/errors.js';
import type { Hop } from './hops.js';

/** sshd never opened the command's channel: the command did not run (safe to run again). */
export class ChannelNotOpened extends ConnectError {}

/** A failure at a jump host, reported on the target it was on the way to. */
export function asJumpError(target: string, hop: Hop, e: unknown): ConnectError {
  if (!(e instanceof ConnectError)) return new ConnectError(target, 'jump', `jump host ${hop.label}: ${String(e)}`);
  const detail = e.message.startsWith(`${target}: `) ? e.message.slice(target.length + 2) : e.message;
  return new ConnectError(target, 'jump', `jump host ${hop.label} (${e.failure}): ${detail}`, e.hint, e);
}

/** The jump host could not open a TCP channel to the next hop. */
export function jumpUnreachable(target: string, jumpHop: Hop, next: Hop, e: Error): ConnectError {
  return new ConnectError(
    target,
    'jump',
    `jump host ${jumpHop.label} could not reach ${next.host}:${next.port}: ${e.message}`,
    'check that the jump host can reach the target (and that AllowTcpForwarding is on there)',
  );
}

export function classifyConnectError(
  host: string,
  hop: Hop,
  err: Error & { level?: string; code?: string },
  skippedKeys: string[],
  timeoutMs: number,
): ConnectError {
  const where = `${hop.user}@${hop.host}:${hop.port}`;
  if (err.level === 'client-authentication') {
    const skipped = skippedKeys.length ? `; skipped keys: ${skippedKeys.join(', ')}` : '';
    return new ConnectError(
      host,
      'auth',
      `authentication failed for ${where} (tried ${hop.agent ? 'the ssh-agent and ' : ''}${hop.identityFiles.filter(existsSync).length} key file(s)${skipped})`,
      `check the user name, that your public key is in ~${hop.user}/.ssh/authorized_keys on the host, or load the key with ssh-add`,
      err,
    );
  }
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ConnectError(host, 'refused', `connection refused by ${hop.host}:${hop.port}`, 'is sshd running and listening on that port?', err);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectError(host, 'dns', `cannot resolve host name ${hop.host}`, 'check the spelling, your DNS, or the HostName in ~/.ssh/config', err);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectError(host, 'timeout', `cannot reach ${hop.host}:${hop.port} (${err.code})`, 'check the address, routing and firewalls', err);
  }
  if (err.level === 'client-timeout' || /timed out/i.test(err.message)) {
    return new ConnectError(
      host,
      'timeout',
      `no SSH handshake with ${hop.host}:${hop.port} within ${Math.round(timeoutMs / 1000)} s`,
      'check the address and firewalls, or raise --connect-timeout',
      err,
    );
  }
  return new ConnectError(host, 'other', `SSH connection to ${where} failed: ${err.message}`, undefined, err);
}
