/**
 * `up` when the daemon will not start (its services or verify step failed): the doctor's finding
 * for the daemon on that host — the reason from dockerd's fatal journal line, and the fix — in place
 * of systemctl's "Job for docker.service failed…" alone. The same examination and checks as
 * `dockhand doctor`, run as root so the journal can be read.
 */
import { lastLines } from '../core/bounded.js';
import { CommandError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { checksDir } from '../core/paths.js';
import type { Transport } from '../transport/types.js';
import { checkFns } from './checks/index.js';
import { loadDeclarations } from './declarations.js';
import { runChecks, type Finding } from './engine.js';
import { gatherEvidence } from './gather.js';

/** The plan steps whose failure means the daemon did not start or does not answer. */
export const DAEMON_STEPS: ReadonlySet<string> = new Set(['services', 'verify']);

/**
 * The daemon's findings, causes before consequences: a start failure with dockerd's fatal line,
 * then what keeps dockerd from starting (containerd, the group, iptables, a mask), then a start
 * failure without a fatal line, then "not running". The first that fails is the answer.
 */
const withReason = (f: Finding) => f.evidence.some((l) => l.startsWith('reason: '));
const DAEMON_FINDINGS: Array<[string, (f: Finding) => boolean]> = [
  ['daemon.start-failure', withReason],
  ['daemon.containerd', () => true],
  ['daemon.group', () => true],
  ['host.iptables', () => true],
  ['daemon.enabled', () => true],
  ['daemon.socket-activation', () => true],
  ['daemon.start-failure', () => true],
  ['daemon.running', () => true],
];

export function daemonFinding(findings: readonly Finding[]): Finding | undefined {
  for (const [id, fits] of DAEMON_FINDINGS) {
    const f = findings.find((x) => x.id === id && x.status === 'fail');
    if (f && fits(f)) return f;
  }
  return undefined;
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();

/** The report of a daemon that did not start: what the doctor found, its reason and fix, then what the command said. */
export function daemonFailureText(original: CommandError, f: Finding): string {
  const reason = f.evidence.find((l) => l.startsWith('reason: '));
  const lines = [`${original.host}: the Docker daemon did not start: ${f.summary} (${f.id})`];
  lines.push(...(reason ? [reason] : f.evidence.slice(0, 4)).map((l) => `  ${l}`));
  if (f.fix?.commands.length) lines.push(`  fix${f.fix.class === 'safe' ? '' : ` (${f.fix.class})`}: ${f.fix.commands.join(' && ')}`);
  if (f.fix?.note) lines.push(`  note: ${oneLine(f.fix.note)}`);
  const said = lastLines(original.output, 3);
  lines.push(`  ${original.command} exited ${original.code ?? 'without a status'}${said ? `:\n${said.replace(/^/gm, '    ')}` : ''}`);
  return lines.join('\n');
}

/** A failed daemon start, diagnosed: the doctor's finding is the message; the command's output is kept. */
export class DaemonStartError extends CommandError {
  readonly finding: Finding;
  constructor(original: CommandError, finding: Finding) {
    super(original.host, original.command, original.code, original.output, 'fix that, then run `dockhand up` again (finished steps are skipped); `dockhand doctor` shows the whole examination');
    this.finding = finding;
    this.message = daemonFailureText(original, finding);
  }
}

/**
 * Examine the host (as root, for the journal) and put the daemon's finding in place of `error`.
 * Whatever goes wrong here, the original error stands: a diagnosis never hides a failure.
 */
export async function diagnoseDaemon(transport: Transport, error: CommandError, logger: Logger): Promise<CommandError> {
  try {
    const [evidence, decls] = await Promise.all([gatherEvidence(transport, { user: transport.loginUser, sudo: true }), loadDeclarations(checksDir)]);
    const f = daemonFinding(runChecks(decls, checkFns, evidence));
    if (!f) logger.debug(`${transport.name}: the doctor found nothing wrong with the daemon after the failed step`);
    return f ? new DaemonStartError(error, f) : error;
  } catch (err) {
    logger.debug(`${transport.name}: could not examine the daemon: ${err instanceof Error ? err.message : String(err)}`);
    return error;
  }
}
