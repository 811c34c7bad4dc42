/**
 * Command-line options for choosing hosts from an inventory and running across them; added to the
 * shared target options (commands/options.ts) so every command that reaches hosts accepts them.
 */
import type { Argv } from 'yargs';
import { UsageError } from '../core/errors.js';
import { fleetDefaults, type FleetOptions } from './run.js';

/** Which hosts: -i, --limit, --ssh-config-hosts (every command that names hosts). */
export function withHostSelectionOptions<T>(y: Argv<T>) {
  return y
    .option('inventory', {
      alias: 'i',
      type: 'string',
      describe: 'inventory: dockhand YAML, Ansible INI/YAML, or ssh:[config] for your ~/.ssh/config Host aliases',
    })
    .option('limit', {
      alias: 'l',
      type: 'string',
      describe: "only these hosts/groups: comma list, globs 'web-*', '!exclude', '&intersect'",
    })
    .option('ssh-config-hosts', { type: 'boolean', describe: 'add every non-wildcard Host alias of ~/.ssh/config (of --ssh-config FILE when given)' });
}

/** Host selection plus how to run across the hosts. */
export function withFleetOptions<T>(y: Argv<T>) {
  return withHostSelectionOptions(y)
    .option('concurrency', { type: 'number', default: fleetDefaults.concurrency, describe: 'hosts worked on at once' })
    .option('fail-fast', { type: 'boolean', describe: 'start no further host after the first failure' })
    .option('max-fail-percent', { type: 'number', describe: 'stop starting hosts once more than this % failed' });
}

export interface FleetArgs {
  concurrency?: number;
  'fail-fast'?: boolean;
  'max-fail-percent'?: number;
}

/** The runner settings from the command line, checked. */
export function fleetOptionsFrom(argv: FleetArgs): Pick<FleetOptions, 'concurrency' | 'failFast' | 'maxFailPercent'> {
  const concurrency = argv.concurrency ?? fleetDefaults.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency must be a whole number of at least 1, not ${concurrency}`);
  const maxFailPercent = argv['max-fail-percent'];
  if (maxFailPercent !== undefined && !(maxFailPercent >= 0 && maxFailPercent <= 100)) {
    throw new UsageError(`--max-fail-percent must be between 0 and 100, not ${maxFailPercent}`);
  }
  return { concurrency, failFast: argv['fail-fast'] ?? false, maxFailPercent };
}
