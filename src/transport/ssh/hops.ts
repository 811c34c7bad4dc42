/**
 * Which machines a connection goes through, resolved the way `ssh` would: the command line over the
 * user's OpenSSH config (`ssh -G`, see ../ssh-config.ts) over defaults, for the target and for every
 * ProxyJump hop, each with its own config (as the jump's own `ssh` process would read it).
 */
import { userInfo } from 'node:os';
import { ConnectError } from '../../core/errors.js';
import { parseTarget } from '../../model/targets.js';
import { defaultIdentityFiles, resolveSshConfig } from '../ssh-config.js';
import type { ConnectOptions, TargetSpec } from '../types.js';
import { hostKeySettings, type HostKeySettings } from './host-keys.js';

const KEEPALIVE_MS = 15_000;
/**
 * How long a server may stay silent before the connection counts as dead. sshd answers nothing —
 * not even keepalives — while it opens the login session (PAM: pam_systemd waiting for logind and
 * the user's systemd manager), which on a loaded host takes over a minute; `ssh` (no keepalive by
 * default) just waits. Dead links are still noticed within this budget.
 */
const SILENCE_TOLERANCE_MS = 180_000;

/** Unanswered keepalives before giving up: enough to cover SILENCE_TOLERANCE_MS at this interval. */
export function keepaliveCountFor(intervalMs: number): number {
  return Math.max(3, Math.ceil(SILENCE_TOLERANCE_MS / intervalMs));
}

/** One machine to log into on the way (a jump host) or at the end (the target). */
export interface Hop {
  /** How the user named it, for messages. */
  label: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** Agent socket, or undefined for none. */
  agent?: string;
  /** IdentitiesOnly: offer the configured key files before the agent's keys (sshd's MaxAuthTries). */
  keyFilesFirst?: boolean;
  /** ServerAliveInterval from the config, else our default. */
  keepaliveMs: number;
  /** Where its host keys are recorded and what to do with an unrecorded one. */
  hostKeys: HostKeySettings;
}

/** Resolve a host the way `ssh` would: command line over `ssh -G` config over defaults. */
async function resolveHop(
  spec: { label: string; host: string; user?: string; port?: number; identityFiles?: string[] },
  opts: ConnectOptions,
): Promise<Hop & { proxyJump?: string }> {
  const cfg = opts.useSshConfig === false ? undefined : await resolveSshConfig(spec.host, opts.sshConfigFile, spec.user, spec.port);
  let agent: string | undefined = process.env.SSH_AUTH_SOCK || undefined;
  if (cfg?.identityAgent === 'none') agent = undefined;
  else if (cfg?.identityAgent && cfg.identityAgent !== 'SSH_AUTH_SOCK') agent = cfg.identityAgent;
  const identityFiles = spec.identityFiles?.length ? spec.identityFiles : cfg ? cfg.identityFiles : defaultIdentityFiles();
  return {
    label: spec.label,
    host: cfg?.hostname ?? spec.host,
    port: spec.port ?? cfg?.port ?? 22,
    user: spec.user ?? cfg?.user ?? userInfo().username,
    identityFiles,
    agent,
    keyFilesFirst: cfg?.identitiesOnly,
    keepaliveMs: cfg?.serverAliveIntervalSec ? cfg.serverAliveIntervalSec * 1000 : KEEPALIVE_MS,
    hostKeys: hostKeySettings(cfg, opts),
    proxyJump: cfg?.proxyJump,
  };
}

/** `user@host:port` or `ssh://user@host:port` of one jump host. */
export function parseJump(text: string): { host: string; user?: string; port?: number } {
  const t = parseTarget(text.trim().replace(/^ssh:\/\//, ''));
  return { host: t.host!, user: t.user, port: t.port };
}

/** The target and the jump hosts before it, in the order they are connected to. */
export interface Route {
  target: Hop;
  jumps: Hop[];
}

export async function resolveRoute(spec: TargetSpec, connect: ConnectOptions): Promise<Route> {
  if (!spec.host) throw new ConnectError(spec.name, 'other', 'no host name given');
  // The command line's --ssh-config wins over the inventory's ssh_config; jump hosts resolve
  // through the same file, as `ssh -F FILE -J …` passes -F on to the jump's ssh.
  const options = !connect.sshConfigFile && spec.sshConfigFile ? { ...connect, sshConfigFile: spec.sshConfigFile } : connect;
  const target = await resolveHop(
    { label: spec.name, host: spec.host, user: spec.user, port: spec.port, identityFiles: spec.identityFiles },
    options,
  );
  const jumpText = spec.jump ?? target.proxyJump;
  const jumps: Hop[] = [];
  for (const j of jumpText ? jumpText.split(',') : []) {
    const hop = await resolveHop({ label: j.trim(), ...parseJump(j) }, options);
    // Keys named on the command line are offered to jump hosts too, after their own (unlike
    // `ssh -i … -J …`, where the jump's separate ssh process never sees -i; one -i should serve all).
    for (const key of spec.identityFiles ?? []) if (!hop.identityFiles.includes(key)) hop.identityFiles.push(key);
    jumps.push(hop);
  }
  return { target, jumps };
}
