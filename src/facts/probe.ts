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
import { AREAS, ENGINE_PART, fragmentFile, fragmentOf } from './areas/index.js';

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
 * Parts of the probe run at the same time (issue 15): nearly all of its time on a host is forks, a
 * millisecond or more each, done one after another on one core, while the host has others. Each part
 * but the last is the left side of a pipeline whose right side runs the next ones, then copies the
 * left side's records out of the pipe (`cat <&FD`) once its own are printed: the output stays a
 * sequence of whole sections (in another order, which the parser does not mind), still one round
 * trip. Each part runs in its own subshell, so it sees every variable set before the split and none
 * set beside it: a fragment that reads another's variable goes in the same part, after it.
 *
 * Exit statuses are kept as one sequential script had them: a part's fragment that exits (a broken
 * guard, `: "${X:?}"`) ends the script with that status before the end marker, so the controller
 * knows the output was cut short. The left side's status comes back on fd 3, which neither side's
 * commands get (run() in framing.sh does the same per command). Left sides read /dev/null, as the
 * probe's commands always did. `fd` is the descriptor the copied records wait on: nested splits
 * need distinct ones: 9 and 8 for the top split, 7 for the engine part's (3 and 4 carry the status;
 * no fragment uses 5 to 9).
 */
export function together(parts: readonly string[], fd = 9): string {
  if (parts.length === 0) return '';
  if (parts.length === 1) return parts[0]!;
  if (fd < 5) throw new Error('probe: too many parts at once (no descriptor left)');
  const [first, ...rest] = parts;
  const st = `dh_st${fd}`;
  const ps = `dh_ps${fd}`;
  return [
    `{ ${st}=$( { { ( `,
    first!,
    `: ) 3>&- </dev/null; echo "$?" >&3; } | { exec ${fd}<&0 </dev/null 3>&-`,
    together(rest, fd - 1),
    `cat <&${fd}; } >&4; } 3>&1 ); ${ps}=$?; } 4>&1`,
    `[ "$${ps}" = 0 ] || exit "$${ps}"`,
    `[ "$${st}" = 0 ] || exit "\${${st}:-1}"`,
  ].join('\n');
}

/**
 * The probe's parts, balanced by their time on a host: the
 * engine part holds docker.sh and what reads its variables (daemon-info.sh its dh_pid, storage.sh
 * its dh_root), the host part the rest of what is about the system and its users. `docker info`
 * (daemon-info.sh: a large Go binary that then asks the daemon, the slowest command) runs beside the
 * engine part's fragments after docker.sh. `more` (the doctor's probe) is a part of its own.
 */
function parts(more: readonly string[], request: FactsRequest): string[] {
  const host = AREAS.filter((area) => !ENGINE_PART.includes(area));
  const [docker, ...after] = ENGINE_PART;
  const rest = after.map(fragmentOf).join('\n');
  const enginePart = [fragmentOf(docker!), request.daemonInfoViaApi ? rest : together([fragmentFile('daemon-info.sh'), rest], 7)].join('\n');
  return [host.map(fragmentOf).join('\n'), ...(more.length ? [more.join('\n')] : []), enginePart];
}

/** The facts probe for `request`, with `more` (other probes in the same framing) as a part of their own. */
export function factsProbeScriptFor(request: FactsRequest, ...more: string[]): string {
  const askCli = request.cliVersion === false ? 'DH_ASK_CLI=no\n' : '';
  return [probeFile('framing.sh'), argumentsLine(request.accounts), assignments() + askCli, META, together(parts(more, request)), DONE].join('\n');
}

/** The facts probe asking nothing beyond the fixed facts. */
export function factsProbeScript(...more: string[]): string {
  return factsProbeScriptFor({}, ...more);
}
