import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import type { ConnectOptions, HostKeyPolicy } from '../transport/types.js';
import type { HostEntry } from '../model/types.js';
import { resolveHosts } from '../inventory/pick.js';
import type { RunContext } from '../fleet/command.js';
import { fleetOptionsFrom } from '../fleet/options.js';

export type { RunContext };

/** Options every command that reaches hosts accepts (declared once in cli.ts). */
export interface GlobalArgs {
  host?: string[];
  'identity-file'?: string[];
  json?: boolean;
  verbose?: boolean;
  'ask-become-pass'?: boolean;
  'host-key-policy'?: HostKeyPolicy;
  'known-hosts'?: string;
  'ssh-config'?: string;
  'connect-timeout'?: number;
  'command-timeout'?: number;
  inventory?: string | string[];
  limit?: string;
  'ssh-config-hosts'?: boolean;
  concurrency?: number;
  'fail-fast'?: boolean;
  'max-fail-percent'?: number;
}

export async function buildContext(argv: GlobalArgs): Promise<RunContext> {
  const logger = createLogger({ verbose: argv.verbose });
  // Flags, then hosts, all before any password prompt or connection: bad input fails at once.
  const sshConfigFile = sshConfigFileFrom(argv['ssh-config']);
  const fleet = fleetOptionsFrom(argv);
  const connect: ConnectOptions = {
    // Unset stays unset: the SSH config may then decide (see transport/ssh/host-keys.ts).
    hostKeyPolicy: argv['host-key-policy'],
    knownHostsFile: argv['known-hosts'],
    sshConfigFile,
    connectTimeoutMs: secondsOption('connect-timeout', argv['connect-timeout'], 15) * 1000,
    commandTimeoutMs: secondsOption('command-timeout', argv['command-timeout'], 1800) * 1000,
  };
  if (argv['ask-become-pass'] && [argv.inventory ?? []].flat().includes('-') && !process.stdin.isTTY) {
    // Both would read stdin: the inventory takes all of it and the password would silently be empty.
    throw new UsageError('-i - and --ask-become-pass both read stdin', 'save the inventory first (ansible-inventory -i … --list > inventory.json) and pass -i inventory.json');
  }
  const hosts = await resolveHosts(
    { inventory: argv.inventory, host: argv.host, sshConfigHosts: argv['ssh-config-hosts'], sshConfigFile, limit: argv.limit },
    (warning) => logger.warn(warning),
  );
  withIdentityFiles(hosts, argv['identity-file']);
  // On each SSH host too (not only in `connect`), so what reads the specs (docker contexts) knows
  // the host is defined in that file; the command line wins over an inventory's ssh_config.
  if (sshConfigFile) for (const h of hosts) if (h.spec.kind === 'ssh') h.spec = { ...h.spec, sshConfigFile };
  if (argv['ask-become-pass']) {
    const { promptHidden } = await import('../core/prompt.js');
    connect.becomePassword = await promptHidden('BECOME password: ');
  }
  return { logger, json: argv.json ?? false, hosts, connect, fleet };
}

/** Longest timer Node can arm (setTimeout's 32-bit millisecond limit; beyond it fires at once). */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** A positive number of seconds from the command line (fractions allowed), within what a timer can hold. */
export function secondsOption(flag: string, value: number | undefined, fallback: number): number {
  const seconds = value ?? fallback;
  if (!(Number.isFinite(seconds) && seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS)) {
    throw new UsageError(`--${flag} must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS}, not ${value}`);
  }
  return seconds;
}

/**
 * `--ssh-config FILE`, checked now: `ssh -G -F` on a missing file fails, and the hosts it defines
 * would then be looked up as bare names. A usage error before any connection, as for --identity-file.
 */
export function sshConfigFileFrom(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  if (file === '') throw new UsageError('--ssh-config needs a file name');
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`--ssh-config ${path}: no such file`);
  return path;
}

/**
 * `--identity-file` keys go to every SSH host, before the keys an inventory names for that host
 * (as `ssh -i` comes before IdentityFile). A missing file is a usage error now, not an auth failure later.
 */
export function withIdentityFiles(hosts: HostEntry[], files: readonly string[] | undefined): void {
  if (!files?.length) return;
  const keys = files.map((f) => resolve(f));
  for (const key of keys) {
    if (!existsSync(key)) throw new UsageError(`--identity-file ${key}: no such file`);
  }
  for (const host of hosts) {
    if (host.spec.kind !== 'ssh') continue;
    const own = host.spec.identityFiles ?? [];
    host.spec = { ...host.spec, identityFiles: [...keys, ...own.filter((k) => !keys.includes(k))] };
  }
}
