import { createLogger, type Logger } from './log.js';
import type { ConnectOptions, HostKeyPolicy, TargetSpec } from '../transport/types.js';
import { parseTargets } from './targets.js';

/** Options every command that reaches hosts accepts (declared once in cli.ts). */
export interface GlobalArgs {
  host?: string[];
  json?: boolean;
  verbose?: boolean;
  'ask-become-pass'?: boolean;
  'host-key-policy'?: HostKeyPolicy;
  'known-hosts'?: string;
  'connect-timeout'?: number;
  'command-timeout'?: number;
  inventory?: string;
  limit?: string;
}

/** What a command's core needs from the command line: who to talk to and how to report. */
export interface RunContext {
  logger: Logger;
  json: boolean;
  targets: TargetSpec[];
  connect: ConnectOptions;
}

export async function buildContext(argv: GlobalArgs): Promise<RunContext> {
  const logger = createLogger({ verbose: argv.verbose });
  const connect: ConnectOptions = {
    hostKeyPolicy: argv['host-key-policy'] ?? 'strict',
    knownHostsFile: argv['known-hosts'],
    connectTimeoutMs: (argv['connect-timeout'] ?? 15) * 1000,
    commandTimeoutMs: (argv['command-timeout'] ?? 1800) * 1000,
  };
  if (argv['ask-become-pass']) {
    const { promptHidden } = await import('./prompt.js');
    connect.becomePassword = await promptHidden('BECOME password: ');
  }
  return { logger, json: argv.json ?? false, targets: parseTargets(argv.host ?? []), connect };
}
