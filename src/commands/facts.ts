/**
 * `dockhand facts [-H …|-i …]`: gather each host's facts (one probe round trip per host) through the
 * fleet runner and print a readable summary per host, then the fleet summary table. With --json: JSON
 * lines, each host's Facts in the `data` of its host event (README, "JSON output").
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { GlobalArgs } from '../core/context.js';
import { withTargetOptions } from './options.js';

export const factsCommand: CommandModule<object, GlobalArgs> = {
  command: 'facts',
  describe: 'print the facts gathered from each host',
  builder: (y) => withTargetOptions(y) as unknown as Argv<GlobalArgs>,
  handler: async (argv: ArgumentsCamelCase<GlobalArgs>) => {
    // Loaded on use (facts-run.ts): `--help` and the other commands do not pay for the fleet runner.
    await (await import('./facts-run.js')).runFacts(argv);
  },
};
