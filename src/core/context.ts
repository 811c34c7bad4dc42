import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './errors.js';
import { createLogger, type Logger } from './log.js';
import type { ConnectOptions, HostKeyPolicy, TargetSpec } from '../transport/types.js';
import type { HostEntry } from '../inventory/types.js';
import { resolveHostsLazily } from '../inventory/pick.js';
import { fleetOptionsFrom } from '../fleet/options.js';
import type { FleetOptions } from '../fleet/run.js';

/** Options every command that reaches hosts accepts (declared once in cli.ts). */
export interface GlobalArgs {
  host?: string[];
  'identity-file'?: string[];
  json?: boolean;
  verbose?: boolean;
  'ask-become-pass'?: boolean;
  'host-key-policy'?: HostKeyPolicy;
  'known-hosts'?: string;
  'connect-timeout'?: number;
  'command-timeout'?: number;
  inventory?: string | string[];
  limit?: string;
  'ssh-config-hosts'?: boolean;
  concurrency?: number;
  'fail-fast'?: boolean;
  'max-fail-percent'?: number;
}

/** What a command's core needs from the command line: who to talk to and how to report. */
export interface RunContext {
  logger: Logger;
  json: boolean;
  /** The hosts to work on (inventory, -H, --limit applied), with their groups and variables. */
  hosts: HostEntry[];
  /** Same hosts, connection part only (kept for commands written before inventories). */
  targets: TargetSpec[];
  connect: ConnectOptions;
  /** How to run across the hosts: pass to runFleet together with a signal and an observer. */
  fleet: Pick<FleetOptions, 'concurrency' | 'failFast' | 'maxFailPercent'>;
}

export async function buildContext(argv: GlobalArgs): Promise<RunContext> {
  const logger = createLogger({ verbose: argv.verbose });
  // Flags, then hosts, all before any password prompt or connection: bad input fails at once.
  const fleet = fleetOptionsFrom(argv);
  const connect: ConnectOptions = {
    hostKeyPolicy: argv['host-key-policy'] ?? 'strict',
    knownHostsFile: argv['known-hosts'],
    connectTimeoutMs: secondsOption('connect-timeout', argv['connect-timeout'], 15) * 1000,
    commandTimeoutMs: secondsOption('command-timeout', argv['command-timeout'], 1800) * 1000,
  };
  const hosts = await resolveHostsLazily(
    { inventory: argv.inventory, host: argv.host, sshConfigHosts: argv['ssh-config-hosts'], limit: argv.limit },
    (warning) => logger.warn(warning),
  );
  withIdentityFiles(hosts, argv['identity-file']);
  if (argv['ask-become-pass']) {
    const { promptHidden } = await import('./prompt.js');
    connect.becomePassword = await promptHidden('BECOME password: ');
  }
  return { logger, json: argv.json ?? false, hosts, targets: hosts.map((h) => h.spec), connect, fleet };
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
