/**
 * The facts probe as ONE script, run once per host without sudo: the framing helpers
 * (probes/framing.sh, src/probe/framing.ts), the script's arguments (the accounts asked about), the
 * DH_* values every fact area's fragment reads, the fragments in the fixed order of areas/index.ts,
 * then whatever the caller appends (the doctor's probe, so an examination stays one round trip), then
 * the end marker.
 */
import { UsageError } from '../core/errors.js';
import { accountNameProblem } from '../core/values.js';
import { probeFile } from '../probe/scripts.js';
import { shJoin, shQuote } from '../shell/quote.js';
import type { FactsRequest } from './areas/area.js';
import { daemonArea } from './areas/daemon.js';
import { AREAS, fragmentFile, fragmentOf } from './areas/index.js';

// The repository step writes where the repository area looks (src/plan/steps/repository.ts).
export { APT_KEYRING, RPM_KEY, RPM_REPO } from './areas/repository.js';

/** The probe's format version (section `meta`), first after the framing. */
const META = 'sec meta\nkv probe 2\n';

/** The end marker: the last thing every probe prints (absent = the output was cut short). */
const DONE = "printf 'D\\000'\n";

/** Every area's DH_* values as shell assignments (a list as one word list; see FactArea.vars). */
function assignments(): string {
  return AREAS.flatMap((area) =>
    Object.entries(area.vars ?? {}).map(([name, value]) => `${name}=${shQuote(typeof value === 'string' ? value : value.join(' '))}\n`),
  ).join('');
}

/**
 * `set -- NAME…`: the accounts to look up become the script's arguments, each quoted, each a valid
 * account name (checked where it was given; checked again here, where it enters a shell script), and
 * each once (a name is a key of the answer: twice would be a repeated record).
 */
function argumentsLine(accounts: readonly string[] = []): string {
  for (const name of accounts) {
    const problem = accountNameProblem(name);
    if (problem) throw new UsageError(`user to look up: ${problem}`);
  }
  const names = [...new Set(accounts)];
  return names.length ? `set -- ${shJoin(names)}\n` : 'set --\n';
}

/**
 * `docker info` (daemon-info.sh: a large Go binary that then asks the daemon, the probe's slowest
 * command) runs beside everything after the daemon area instead of before it: the left side of a
 * pipeline, whose records the right side copies out (`cat <&7`) once its own are printed, so the
 * output stays a sequence of whole sections. The right side reads /dev/null, as the probe's commands
 * always did (the pipe is on fd 7). A fragment that exits ends only that side: its status then ends
 * the script before the end marker, as an exit did before.
 */
function besideTheRest(before: string[], beside: string, rest: string[]): string[] {
  return [...before, '{', beside, '} | {', 'exec 7<&0 </dev/null', ...rest, 'cat <&7', '} || exit "$?"'];
}

/** The facts probe for `request`, with `more` (other probes in the same framing) before the end marker. */
export function factsProbeScriptFor(request: FactsRequest, ...more: string[]): string {
  const split = AREAS.indexOf(daemonArea) + 1;
  const areas = besideTheRest(AREAS.slice(0, split).map(fragmentOf), fragmentFile('daemon-info.sh'), [...AREAS.slice(split).map(fragmentOf), ...more]);
  return [probeFile('framing.sh'), argumentsLine(request.accounts), assignments(), META, ...areas, DONE].join('\n');
}

/** The facts probe asking nothing beyond the fixed facts. */
export function factsProbeScript(...more: string[]): string {
  return factsProbeScriptFor({}, ...more);
}
