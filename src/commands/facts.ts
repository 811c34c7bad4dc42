/**
 * `dockhand facts [-H …|-i …]`: gather each host's facts (one probe round trip per host) through the
 * fleet runner and print a readable summary per host, then the fleet summary table. With --json: JSON
 * lines, each host's Facts in the `data` of its host event (README, "JSON output").
 */
import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { DockhandCommand } from './command.js';
import type { GlobalArgs } from './context.js';
import { withTargetOptions } from './options.js';

export const factsCommand: DockhandCommand<GlobalArgs> = {
  command: 'facts',
  describe: 'print the facts gathered from each host',
  examples: [
    ['$0 facts', 'what dockhand sees on this machine'],
    ['$0 facts -H admin@web-1 --json', 'the facts of one SSH host, as JSON'],
  ],
  builder: (y) => withTargetOptions(y) as unknown as Argv<GlobalArgs>,
  // Loaded on use (facts-run.ts): `--help` and the other commands do not pay for the fleet runner.
  run: async (argv: ArgumentsCamelCase<GlobalArgs>) => (await import('./facts-run.js')).runFacts(argv),
};
