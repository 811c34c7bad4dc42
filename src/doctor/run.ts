/**
 * The doctor's core for one or many hosts: gather → check → (fix → re-check) → report.
 * Returns the exit code: 0 healthy, 1 problems found, 3 could not check.
 */
import { checksDir } from '../core/paths.js';
import { ExitCode, InputError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { ConnectOptions, TargetSpec, Transport } from '../transport/types.js';
import { loadDeclarations, type CheckDecl } from './declarations.js';
import { runChecks, summarise, type Finding } from './engine.js';
import type { DoctorEvidence } from './evidence.js';
import { applicableFixes, applyFixes, remainingAdvice } from './fix.js';
import { gatherEvidence } from './gather.js';
import type { SocketOpener } from './http.js';
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
  /** Socket opener for remote hosts (the SSH streamlocal opener, when available). */
  remoteOpener?: (transport: Transport) => SocketOpener | undefined;
  ask?: (question: string) => Promise<boolean>;
  write?: (text: string) => void;
}

export async function examine(
  transport: Transport,
  decls: CheckDecl[] | Promise<CheckDecl[]>,
  opts: Pick<DoctorOptions, 'user' | 'remoteOpener'>,
): Promise<{ evidence: DoctorEvidence; findings: Finding[] }> {
  const evidence = await gatherEvidence(transport, { user: opts.user, opener: opts.remoteOpener?.(transport) });
  return { evidence, findings: runChecks(await decls, probes, evidence) };
}

async function doctorHost(spec: TargetSpec, decls: Promise<CheckDecl[]>, opts: DoctorOptions): Promise<HostReport> {
  let transport: Transport | undefined;
  try {
    transport = opts.open ? await opts.open(spec) : await (await import('../transport/open.js')).openTransport(spec, opts.connect, opts.logger);
    let { evidence, findings } = await examine(transport, decls, opts);
    const report: HostReport = { host: spec.name, user: evidence.client.user.name, findings, root: evidence.facts.privilege.isRoot };
    if (opts.fix) {
      const steps = applicableFixes(findings);
      const log: string[] = [];
      if (!steps.length) log.push('nothing dockhand may fix automatically');
      else {
        const currentUser = evidence.facts.user.name;
        await applyFixes(transport, steps, {
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
    opts.logger.debug(err instanceof Error ? (err.stack ?? err.message) : String(err));
    return { host: spec.name, findings: [], error: err instanceof Error ? err.message : String(err) };
  } finally {
    await transport?.close().catch(() => {});
  }
}

export function exitCodeFor(reports: readonly HostReport[]): ExitCode {
  if (reports.some((r) => r.error)) return ExitCode.couldNotCheck;
  return reports.some((r) => summarise(r.findings).problems > 0) ? ExitCode.problemsFound : ExitCode.ok;
}

export async function runDoctor(opts: DoctorOptions): Promise<ExitCode> {
  // Parsed while the hosts are being examined (the probe runs in another process or on another host).
  const decls = loadDeclarations(opts.checksDir ?? checksDir);
  decls.catch(() => {}); // rejection handled where it is awaited
  const write = opts.write ?? ((t: string) => process.stdout.write(t));
  const reports: HostReport[] = [];
  // A few hosts at a time: OpenSSH throttles many simultaneous fresh connections.
  const queue = [...opts.targets];
  await Promise.all(
    Array.from({ length: Math.min(8, queue.length) }, async () => {
      for (let spec = queue.shift(); spec; spec = queue.shift()) reports.push(await doctorHost(spec, decls, opts));
    }),
  );
  reports.sort((a, b) => opts.targets.findIndex((t) => t.name === a.host) - opts.targets.findIndex((t) => t.name === b.host));
  if (opts.json) write(JSON.stringify(toJson(reports), null, 2) + '\n');
  else if (reports.length === 1) write(renderHost(reports[0]!, { verbose: opts.verbose }));
  else {
    write(renderFleet(reports));
    if (opts.verbose) for (const r of reports) write('\n' + renderHost(r, { verbose: true }));
  }
  return exitCodeFor(reports);
}
