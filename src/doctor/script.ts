/**
 * The doctor's own probe (probes/doctor.sh): client-side evidence for the checked user, appended
 * to the facts probe so the whole examination is ONE round trip, in the same framing
 * (src/probe/framing.ts). Its records are in section `doctor`; parseDoctorOutput reads them.
 */
import { factsProbeScriptFor } from '../facts/probe.js';
import { probeFile } from '../probe/scripts.js';
import { sh } from '../shell/quote.js';

/** The section the doctor's records are in. */
export const DOCTOR_SECTION = 'doctor';

/** The doctor probe for `user` (default: whoever the script runs as), without framing or end. */
export function doctorScript(user?: string): string {
  return (user ? sh`CHECK_USER=${user}\n` : 'CHECK_USER=\n') + probeFile('doctor.sh');
}

/**
 * The whole examination: facts probe + doctor probe, one script. `daemonInfoViaApi`: without
 * `docker info`, for a caller that reads the daemon's /info itself (gather.ts, askDefaultEarly).
 * The docker CLI's version is read only where a package names it (FactsRequest.cliVersion).
 */
export function examinationScript(user?: string, { daemonInfoViaApi = false }: { daemonInfoViaApi?: boolean } = {}): string {
  // No check reads the client's version (only `dockhand facts` shows it): the CLI is not started for it.
  return factsProbeScriptFor({ daemonInfoViaApi, cliVersion: false }, doctorScript(user));
}
