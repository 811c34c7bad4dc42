/**
 * The doctor's core for one or many hosts: gather → check → (fix → re-check) → report.
 * Returns the exit code: 0 healthy, 1 problems found, 3 could not check.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { checksDir } from '../core/paths.js';
import { DockhandError, ExitCode, InputError, exitCodeOf } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { jsonText, safeText } from '../core/output.js';
import { openTransport } from '../transport/open.js';
import type { ConnectOptions, TargetSpec, Transport } from '../transport/types.js';
import { loadDeclarations, type CheckDecl } from './declarations.js';
import { runChecks, summarise, type Finding } from './engine.js';
import type { DoctorEvidence } from './evidence.js';
import { applicableFixes, applyFixes, remainingAdvice } from './fix.js';
import { gatherEvidence } from './gather.js';
import { runFleet, type FleetOptions } from '../fleet/run.js';
import { serversOf } from '../fleet/start-gate.js';
import { probes } from './probes/index.js';
import { renderFleet, renderHost, toJson, type HostReport } from './render.js';

export interface DoctorOptions {
  targets: TargetSpec[];
  connect: ConnectOptions;
  logger: Logger;
  json: boolean;
  verbose: boolean;
  user?: string;
  fix: boolean;
  yes: boolean;
  allowRootEquivalent: boolean;
  /** Where checks/*.yaml live (default: the package's checks/). */
  checksDir?: string;
  /** How to open a transport (default: openTransport). */
  open?: (spec: TargetSpec) => Promise<Transport>;
  ask?: (question: string) => Promise<boolean>;
  /** Concurrency, fail-fast and pacing settings from the command line. */
  fleet?: FleetOptions;
  write?: (text: string) => void;
}

export async function examine(
  transport: Transport,
  decls: CheckDecl[] | Promise<CheckDecl[]>,
  opts: Pick<DoctorOptions, 'user'>,
): Promise<{ evidence: DoctorEvidence; findings: Finding[] }> {
  const evidence = await gatherEvidence(transport, { user: opts.user });
  return { evidence, findings: runChecks(await decls, probes, evidence) };
}

async function doctorHost(spec: TargetSpec, decls: Promise<CheckDecl[]>, opts: DoctorOptions): Promise<HostReport> {
  let transport: Transport | undefined;
  try {
    transport = opts.open ? await opts.open(spec) : await openDefault(spec, opts);
    let { evidence, findings } = await examine(transport, decls, opts);
    const report: HostReport = { host: spec.name, user: evidence.client.user.name, findings, root: evidence.facts.privilege.isRoot, sudo: evidence.facts.privilege.sudoInstalled };
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
            opts.logger.info(`[${spec.name}] ${l}`);
          },
        });
        log.push(`${applied} fix${applied === 1 ? '' : 'es'} applied${failed ? `, ${failed} failed` : ''}`);
        // Over SSH a group change only shows in a new session; locally the re-check reads the database.
        if (transport.kind === 'ssh') await transport.reconnect();
        ({ evidence, findings } = await examine(transport, decls, opts));
        report.findings = findings;
      }
      const remaining = remainingAdvice(findings);
      report.fixLog = [...log, ...(remaining.length ? ['still to do:', ...remaining.map((r) => `  ${r}`)] : ['re-checked: nothing left to fix'])];
    }
    return report;
  } catch (err) {
    if (err instanceof InputError) throw err; // bad check declarations: not this host's fault
    // A typed error (unreachable, auth, a probe that failed) is a finding about the host, not a bug:
    // its message is all there is to say, even with --verbose. Only an unexpected error has a stack worth showing.
    if (!(err instanceof DockhandError)) opts.logger.debug(err instanceof Error ? (err.stack ?? err.message) : String(err));
    return { host: spec.name, findings: [], error: err instanceof Error ? err.message : String(err), exitCode: exitCodeOf(err) };
  } finally {
    await transport?.close().catch(() => {});
  }
}

function openDefault(spec: TargetSpec, opts: DoctorOptions): Promise<Transport> {
  return openTransport(spec, opts.connect, opts.logger);
}

/** As every fleet command: an unreachable host (4) wins, then one that could not be checked (3), then problems (1). */
export function exitCodeFor(reports: readonly HostReport[]): ExitCode {
  if (reports.some((r) => r.error && r.exitCode === ExitCode.unreachable)) return ExitCode.unreachable;
  if (reports.some((r) => r.error)) return ExitCode.couldNotCheck;
  return reports.some((r) => summarise(r.findings).problems > 0) ? ExitCode.problemsFound : ExitCode.ok;
}

export async function runDoctor(opts: DoctorOptions): Promise<ExitCode> {
  // Parsed while the hosts are being examined (the probe runs in another process or on another host),
  // from the next turn of the event loop: the way to a local probe is promises only (its modules are
  // imported statically; ssh2 only for SSH hosts), so the probes are spawned first and loading yaml and
  // zod (~50 ms) overlaps them instead of delaying them.
  const decls = nextTurn().then(() => loadDeclarations(opts.checksDir ?? checksDir));
  decls.catch(() => {}); // rejection handled where it is awaited
  // Through the output layer (src/core/output.ts), whoever the writer is: secrets masked, host text printable.
  const writeRaw = opts.write ?? ((t: string) => process.stdout.write(t));
  const write = (t: string) => writeRaw(safeText(t));
  // The fleet runner gives the doctor what every fleet command has: bounded concurrency, connection
  // starts paced under sshd's MaxStartups, and Ctrl-C that stops starting hosts. doctorHost never
  // throws for a host's own trouble (that is a finding: "could not check"), so every host reports.
  const fleet = await runFleet(
    opts.targets.map((spec) => ({ name: spec.name, spec })),
    async ({ spec }, ctx) => ({
      outcome: 'ok',
      data: await doctorHost(spec, decls, { ...opts, open: (s) => ctx.connect(() => (opts.open ? opts.open(s) : openDefault(s, opts)), serversOf(s)) }),
    }),
    { ...opts.fleet },
  );
  // Bad check declarations are nobody's host's fault: they end the run with their own error (exit 65).
  await decls;
  const reports = fleet.hosts.flatMap((h) =>
    h.data ? [h.data as HostReport] : [{ host: h.host, findings: [], error: h.error ?? `not checked (${h.outcome})` }],
  );
  if (opts.json) writeRaw(jsonText(toJson(reports), 2) + '\n');
  else if (reports.length === 1) write(renderHost(reports[0]!, { verbose: opts.verbose }));
  else {
    write(renderFleet(reports));
    if (opts.verbose) for (const r of reports) write('\n' + renderHost(r, { verbose: true }));
  }
  return exitCodeFor(reports);
}
