import type { ArgumentsCamelCase, CommandModule } from 'yargs';
import type { ExitCode } from '../core/errors.js';

/**
 * A dockhand command: yargs' definition (name, description, options) and a `run` that answers the
 * exit code. cli.ts turns each into a yargs command; nothing sets process.exitCode but main.ts.
 */
export interface DockhandCommand<A> extends Omit<CommandModule<object, A>, 'handler'> {
  run(argv: ArgumentsCamelCase<A>): Promise<ExitCode>;
  /** Shown at the end of the command's --help: [command line, what it does]. */
  examples: ReadonlyArray<readonly [string, string]>;
}
