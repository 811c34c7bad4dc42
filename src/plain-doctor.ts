/**
 * The plain local doctor — `dockhand` alone (the embedded default), `dockhand doctor --json`, and the
 * other flags of isPlainLocalDoctor, each given once — run without the command-line parser (issue
 * 15). yargs and the definitions of every other command are half of the JavaScript a doctor run
 * compiles, and building the parser costs as much again, on every start. This answers the doctor
 * command exactly the options object the parser hands it (test/unit/plain-doctor.test.ts compares
 * the two for every combination of these flags); any other command line goes to the parser
 * (main.ts), which also owns --help, errors and everything else.
 */
import type { ArgumentsCamelCase } from 'yargs';
import { decideStdoutColour } from './core/output-colour.js';
import { doctorCommand, type DoctorArgs } from './commands/doctor.js';
import { targetDefaults } from './commands/options.js';
import { plainDoctorFlags } from './doctor/early.js';
import { fleetDefaults } from './fleet/run.js';
import { runAsProcess } from './run-as-process.js';

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The doctor's options for a plain local doctor command line, as yargs would give them; undefined
 * for anything else, and for an option given twice (the parser's rules for repeats and for
 * --color with --no-color apply there).
 */
export function plainDoctorArgs(args: readonly string[]): ArgumentsCamelCase<DoctorArgs> | undefined {
  const flags = plainDoctorFlags(args);
  if (!flags) return undefined;
  const options: Record<string, unknown> = {};
  for (const [option, value, alias] of flags) {
    if (option in options) return undefined;
    options[option] = value;
    if (alias) options[alias] = value;
  }
  const defaults = { ...targetDefaults, concurrency: fleetDefaults.concurrency };
  for (const [name, value] of Object.entries(defaults)) options[name] = options[camel(name)] = value;
  return { _: ['doctor'], $0: 'dockhand', ...options } as ArgumentsCamelCase<DoctorArgs>;
}

/** Run the plain local doctor as this process; false (nothing run) when the command line is not one. */
export function runPlainDoctor(args: readonly string[]): boolean {
  const parsed = plainDoctorArgs(args);
  if (!parsed) return false;
  runAsProcess(async () => {
    decideStdoutColour(parsed);
    return doctorCommand.run(parsed);
  });
  return true;
}
