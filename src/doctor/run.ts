/**
 * The doctor's core for one or many hosts: gather → check → (fix → re-check) → report. It is a
 * fleet command like facts/plan/up (src/fleet/command.ts): the runner opens and closes each host's
 * transport, paces the connections, shows progress on stderr and handles Ctrl-C; the doctor's own
 * report (one host, the fleet table, or the --json document) is what reaches stdout.
 * Returns the exit code: 0 healthy, 1 problems found, 3 could not check, 4 a host was unreachable.
 */
import { imageStoreOf } from './image-store.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { checksDir } from '../core/paths.js';
import { DockhandError, ExitCode, InputError, exitCodeOf } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { jsonText } from '../core/output.js';
import { runFleetCommand, type FleetCommandOptions, type HostTask, type RunContext } from '../fleet/command.js';
import { FleetCancelled } from '../fleet/run.js';
import type { FleetReport } from '../fleet/types.js';
import type { TargetSpec, Transport } from '../transport/types.js';
import { openTransport } from '../transport/open.js';
import { checkDeclarations } from './compiled-checks.js';
import type { CheckDecl } from './declarations.js';
import { deriveInput, runChecks, summarize, summaryLine, type Finding } from './engine.js';
import type { DoctorEvidence } from './evidence.js';
import { applicableFixes, applyFixes, remainingAdvice } from './fix.js';
import { gatherEvidence } from './gather.js';
import { checkFns } from './checks/index.js';
import { stdoutPaint } from '../core/output-colour.js';
import { renderFleet, renderHost, toJson, type DoctorReport } from './render.js';

export interface DoctorOptions extends RunContext {
  verbose: boolean;
  user?: string;
  fix: boolean;
  yes: boolean;
  allowRootEquivalent: boolean;
  /** Where checks/*.yaml live (default: the package's checks/). */
  checksDir?: string;
  /** How to open a host's transport (default: openTransport; tests add a key). */
  open?: FleetCommandOptions['open'];
  ask?: (question: string) => Promise<boolean>;
  /** Where the report goes (default stdout). */
  write?: (text: string) => void;
  /** --report FILE.html: also write the self-contained HTML report (report-html.ts) there. */
  htmlReport?: string;
}

async function examine(transport: Transport, decls: Promise<CheckDecl[]>, user: string | undefined): Promise<{ evidence: DoctorEvidence; findings: Finding[] }> {
  const evidence = await gatherEvidence(transport, { user });
  return { evidence, findings: runChecks(await decls, checkFns, evidence) };
}

async function doctorHost(transport: Transport, name: string, decls: Promise<CheckDecl[]>, opts: DoctorOptions, logger: Logger): Promise<DoctorReport> {
  try {
    let { evidence, findings } = await examine(transport, decls, opts.user);
    const imageStore = imageStoreOf(deriveInput(evidence));
    const report: DoctorReport = {
      host: name,
      user: evidence.client.user.name,
      findings,
      root: evidence.facts.privilege.isRoot,
      sudo: evidence.facts.privilege.sudoInstalled,
      ...(imageStore ? { imageStore } : {}),
    };
    if (opts.fix) {
      const steps = applicableFixes(findings);
      const log: string[] = [];
      if (!steps.length) log.push('nothing dockhand may fix automatically');
      else {
        const currentUser = evidence.facts.user.name;
        const { applied, failed } = await applyFixes(transport, steps, {
          yes: opts.yes,
          allowRootEquivalent: opts.allowRootEquivalent,
          ask: opts.ask,
          user: evidence.client.user.name,
          home: evidence.client.user.home,
          transportIsUser: currentUser === evidence.client.user.name,
          log: (l) => {
            log.push(l);
            logger.info(`[${name}] ${l}`);
          },
        });
        log.push(`${applied} fix${applied === 1 ? '' : 'es'} applied${failed ? `, ${failed} failed` : ''}`);
        // Over SSH a group change only shows in a new session; locally the re-check reads the database.
        if (transport.kind === 'ssh') await transport.reconnect();
        ({ evidence, findings } = await examine(transport, decls, opts.user));
        report.findings = findings;
      }
      const remaining = remainingAdvice(findings);
      report.fixLog = [...log, ...(remaining.length ? ['still to do:', ...remaining.map((r) => `  ${r}`)] : ['re-checked: nothing left to fix'])];
    }
    return report;
  } catch (err) {
    // Bad check declarations are not this host's fault; a stopped run is the runner's to report.
    if (err instanceof InputError || err instanceof FleetCancelled) throw err;
    // A typed error (unreachable, auth, a probe that failed) is a finding about the host, not a bug:
    // its message is all there is to say, even with --verbose. Only an unexpected error has a stack worth showing.
    if (!(err instanceof DockhandError)) logger.debug(err instanceof Error ? (err.stack ?? err.message) : String(err));
    return { host: name, findings: [], error: err instanceof Error ? err.message : String(err), exitCode: exitCodeOf(err) };
  }
}

/** As every fleet command: an unreachable host (4) wins, then one that could not be checked (3), then problems (1). */
export function exitCodeFor(reports: readonly DoctorReport[], fleet?: Pick<FleetReport, 'hosts'>): ExitCode {
  if (fleet?.hosts.some((h) => h.outcome === 'unreachable')) return ExitCode.unreachable;
  if (reports.some((r) => r.error && r.exitCode === ExitCode.unreachable)) return ExitCode.unreachable;
  if (reports.some((r) => r.error)) return ExitCode.couldNotCheck;
  return reports.some((r) => summarize(r.findings).problems > 0) ? ExitCode.problemsFound : ExitCode.ok;
}

export async function runDoctor(opts: DoctorOptions): Promise<ExitCode> {
  // Parsed while the hosts are being examined (the probe runs in another process or on another host),
  // from the next turn of the event loop: the way to a local probe is promises only (its modules are
  // imported statically; ssh2 only for SSH hosts), so the probes are spawned first and loading yaml and
  // zod (~50 ms) overlaps them instead of delaying them.
  const decls = nextTurn().then(() => checkDeclarations(opts.checksDir ?? checksDir));
  decls.catch(() => {}); // rejection handled where it is awaited
  // What is written went through the output layer (src/core/output.ts) in its renderer or jsonText.
  const writeRaw = opts.write ?? ((t: string) => process.stdout.write(t));
  // The report names why a host could not be reached in full (the runner's summary keeps one line).
  const openErrors = new Map<TargetSpec, string>();
  const open = opts.open ?? openTransport;
  const task: HostTask = async (transport, host, { report, logger }) => {
    report('checks', 'running');
    const r = await doctorHost(transport, host.name, decls, opts, logger);
    const s = summarize(r.findings);
    report('checks', r.error || s.problems ? 'failed' : 'ok', r.error ? 'could not check' : summaryLine(s));
    return { outcome: r.error ? 'failed' : 'ok', data: r };
  };
  const fleet = await runFleetCommand(opts, task, {
    ownOutput: true,
    // --fix without --yes asks before each fix, on the terminal the progress would draw on.
    interactive: opts.fix && !opts.yes && opts.ask !== undefined,
    open: async (...args) => {
      try {
        return await open(...args);
      } catch (err) {
        openErrors.set(args[0], err instanceof Error ? err.message : String(err));
        throw err;
      }
    },
  });
  // Bad check declarations are nobody's host's fault: they end the run with their own error (exit 65).
  await decls;
  const reports = fleet.hosts.map((h, i): DoctorReport => {
    const spec = opts.hosts[i]!.spec;
    return (h.data as DoctorReport | undefined) ?? { host: h.host, findings: [], error: openErrors.get(spec) ?? h.error ?? `not checked (${h.outcome})` };
  });
  if (opts.json) writeRaw(jsonText(toJson(reports), 2) + '\n');
  // The renderers' text is through the output layer already, coloured for stdout (output-colour.ts).
  else if (reports.length === 1) writeRaw(renderHost(reports[0]!, { verbose: opts.verbose, paint: stdoutPaint() }));
  else {
    writeRaw(renderFleet(reports, stdoutPaint()));
    if (opts.verbose) for (const r of reports) writeRaw('\n' + renderHost(r, { verbose: true, paint: stdoutPaint() }));
  }
  if (opts.htmlReport) await writeHtmlReport(opts.htmlReport, reports, opts.logger);
  return exitCodeFor(reports, fleet);
}

async function writeHtmlReport(file: string, reports: readonly DoctorReport[], logger: Logger): Promise<void> {
  const [{ renderHtmlReport }, { writeFile }] = await Promise.all([import('./report-html.js'), import('node:fs/promises')]);
  try {
    await writeFile(file, renderHtmlReport(reports));
  } catch (err) {
    throw new DockhandError(`--report ${file}: cannot write: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { exitCode: ExitCode.outputFailed, cause: err });
  }
  logger.info(`report: ${file}`);
}
