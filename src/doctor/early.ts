/**
 * The local doctor's examination started while the CLI loads (issue 15): `dockhand` alone (the
 * embedded default) and `dockhand doctor` with flags that do not change what is examined start the
 * probe before yargs and the doctor's modules load, and the local transport adopts the running
 * process when the doctor asks for exactly that command (src/transport/local.ts startEarly). The
 * probe only reads; started for nothing (the arguments turn out to name an inventory), it is killed.
 */
// Nothing is imported statically: bin.ts loads this module for every command, and only the plain
// local doctor needs the probe's modules (which it would load anyway).

/** Flags after which the local examination is the same script run the same way (output, fixes after it). */
const SAME_EXAMINATION = new Set(['--json', '--verbose', '-v', '--no-color', '--color', '--fix', '--yes', '-y']);

/** argv (after the script name) that runs the local doctor for the current user, as far as can be told without the parser. */
export function isPlainLocalDoctor(args: readonly string[]): boolean {
  const rest = args[0] === 'doctor' ? args.slice(1) : args;
  return rest.every((a) => SAME_EXAMINATION.has(a));
}

/**
 * Start the examination as LocalTransport would run it for gatherEvidence (no sudo, no --user).
 * Never throws: whatever stops it here (a damaged install whose probe files cannot be read) is met
 * again on the normal path, where the one top-level handler reports it.
 */
export async function startExaminationEarly(): Promise<void> {
  if (process.env.DOCKHAND_NO_EARLY === '1') return;
  try {
    const [{ examinationScript }, { planCommand }, { startEarly }] = await Promise.all([
      import('./script.js'),
      import('../transport/become.js'),
      import('../transport/local.js'),
    ]);
    // As gatherEvidence runs it for the user the doctor runs as (askDefaultEarly): /info from the API.
    startEarly(planCommand(examinationScript(undefined, { daemonInfoViaApi: true }), { isRoot: process.geteuid?.() === 0 }).argv);
  } catch {
    // not started early: the doctor runs its examination itself
  }
}
