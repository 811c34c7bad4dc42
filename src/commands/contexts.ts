import type { Argv } from 'yargs';
import type { DockhandCommand } from './command.js';
import { ExitCode, UsageError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { jsonText, writeText } from '../core/output.js';
import { shJoin } from '../shell/quote.js';
import { contextCommands, dockerCli, renderContextPlan, syncDockerContexts, type ContextPlan } from '../contexts/docker-contexts.js';
import { withHostSelectionOptions } from '../fleet/options.js';
import { resolveHosts } from '../inventory/pick.js';

interface ContextsArgs {
  host?: string[];
  inventory?: string;
  limit?: string;
  'ssh-config-hosts'?: boolean;
  use?: string;
  prefix?: string;
  'dry-run'?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export const contextsCommand: DockhandCommand<ContextsArgs> = {
  command: 'contexts',
  describe: 'create or update a docker context (ssh://user@host:port) per host on this machine',
  examples: [
    ['$0 contexts -i inventory.yaml --dry-run', 'what would be created or changed, and the docker commands'],
    ['$0 contexts -H admin@web-1 --use web-1', 'a context for one host, then make it the current one'],
  ],
  builder: (y) =>
    withHostSelectionOptions(y as Argv<object>)
      .option('host', { alias: 'H', type: 'string', array: true, describe: 'SSH target [user@]host[:port] (repeatable)' })
      .option('use', { type: 'string', describe: 'then make this context the current one (otherwise the current context is untouched)' })
      .option('prefix', { type: 'string', default: '', describe: 'prepended to each host name to name its context' })
      .option('dry-run', { type: 'boolean', describe: 'print what would be created or changed, and the docker commands, without running them' }) as unknown as Argv<ContextsArgs>,
  run: async (argv) => {
    const logger = createLogger({ verbose: argv.verbose });
    const hosts = await resolveHosts(
      { inventory: argv.inventory, host: argv.host, sshConfigHosts: argv['ssh-config-hosts'], limit: argv.limit },
      (w) => logger.warn(w),
    );
    if (hosts.every((h) => h.spec.kind === 'local')) throw new UsageError('no remote hosts: name them with -i inventory or -H user@host');
    const dryRun = argv['dry-run'] ?? false;
    const plan = await syncDockerContexts(hosts, dockerCli(), {
      use: argv.use,
      prefix: argv.prefix,
      dryRun,
      onCommand: (args) => {
        if (!dryRun) logger.command('local', shJoin(['docker', ...args]));
      },
    });
    plan.warnings.forEach((w) => logger.warn(w));
    if (argv.json) process.stdout.write(jsonText({ ...report(plan), ...(dryRun ? { dryRun: true, commands: commandsOf(plan) } : {}) }) + '\n');
    else writeText(process.stdout, renderContextPlan(plan, { dryRun }));
    return ExitCode.ok;
  },
};

/** The docker commands a plan runs, in order, each as one shell-quoted line. */
function commandsOf(plan: ContextPlan): string[] {
  return contextCommands(plan).map((c) => shJoin(['docker', ...c]));
}

function report(plan: ContextPlan) {
  return {
    contexts: plan.actions.map(({ argv: _argv, ...a }) => a),
    current: plan.use?.context,
    warnings: plan.warnings,
  };
}
