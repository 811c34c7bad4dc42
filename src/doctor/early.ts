/**
 * The local doctor's examination started while the CLI loads (issue 15): `dockhand` alone (the
 * embedded default) and `dockhand doctor` with flags that do not change what is examined start the
 * probe before yargs and the doctor's modules load, and the local transport adopts the running
 * process when the doctor asks for exactly that command (src/transport/early-process.ts startEarly). The
 * probe only reads; started for nothing (the arguments turn out to name an inventory), it is killed.
 */
// Only what bin.ts has loaded already is imported statically: bin.ts loads this module for every
// command, and only the plain local doctor needs the probe's modules (which it would load anyway).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/paths.js';

/**
 * The flags after which the local examination is the same script run the same way (they choose the
 * output, and fixes after it), each as the option it sets: [name, value, the option's other name].
 * plain-doctor.ts answers these without the parser.
 */
export const PLAIN_DOCTOR_FLAGS: Readonly<Record<string, readonly [option: string, value: boolean, alias?: string]>> = {
  '--json': ['json', true],
  '--verbose': ['verbose', true, 'v'],
  '-v': ['verbose', true, 'v'],
  '--color': ['color', true],
  '--no-color': ['color', false],
  '--fix': ['fix', true],
  '--yes': ['yes', true, 'y'],
  '-y': ['yes', true, 'y'],
};

type PlainDoctorFlag = (typeof PLAIN_DOCTOR_FLAGS)[string];

/** The options each argument (after the script name, and `doctor` if first) sets; undefined when one is not of the table. */
export function plainDoctorFlags(args: readonly string[]): PlainDoctorFlag[] | undefined {
  const flags: PlainDoctorFlag[] = [];
  for (const arg of args[0] === 'doctor' ? args.slice(1) : args) {
    if (!Object.hasOwn(PLAIN_DOCTOR_FLAGS, arg)) return undefined;
    flags.push(PLAIN_DOCTOR_FLAGS[arg]!);
  }
  return flags;
}

/** argv (after the script name) that runs the local doctor for the current user, as far as can be told without the parser. */
export function isPlainLocalDoctor(args: readonly string[]): boolean {
  return plainDoctorFlags(args) !== undefined;
}

/**
 * The examination's command line, written by the build (scripts/compile-early.mjs): starting it from
 * this file spares the ~40 ms of loading the modules that compose it (the facts' areas, the framing,
 * the transport) before the examination can start. Written from the same function as below, so a
 * build's file is exactly what the doctor asks for; a stale one (probes edited since) differs, and
 * the doctor then kills it unadopted and runs its own.
 */
export const earlyExaminationFile = join(packageRoot, 'dist', 'early-examination.json');

/** The command gatherEvidence runs for the user the doctor runs as (askDefaultEarly: /info from the API). */
export async function examinationArgv(isRoot: boolean): Promise<string[]> {
  const [{ examinationScript }, { planCommand }] = await Promise.all([import('./script.js'), import('../transport/become.js')]);
  return planCommand(examinationScript(undefined, { daemonInfoViaApi: true }), { isRoot }).argv;
}

function builtArgv(): string[] | undefined {
  try {
    const argv: unknown = JSON.parse(readFileSync(earlyExaminationFile, 'utf8')).argv;
    return Array.isArray(argv) && argv.length > 0 && argv.every((a) => typeof a === 'string') ? argv : undefined;
  } catch {
    return undefined; // not built (the sources under a test runner): composed here instead
  }
}

/**
 * Start the examination as LocalTransport would run it for gatherEvidence (no sudo, no --user).
 * Never throws: whatever stops it here (a damaged install whose probe files cannot be read) is met
 * again on the normal path, where the one top-level handler reports it.
 */
export async function startExaminationEarly(): Promise<void> {
  if (process.env.DOCKHAND_NO_EARLY === '1') return;
  try {
    const argv = builtArgv() ?? (await examinationArgv(process.geteuid?.() === 0));
    const { startEarly } = await import('../transport/early-process.js');
    startEarly(argv);
  } catch {
    // not started early: the doctor runs its examination itself
  }
}
