/**
 * What a fleet command (plan, up, doctor, facts) does around its per-host work: open each host's
 * transport through the connection pacing, show progress, handle Ctrl-C, have the exporter write the
 * result (table or JSON), and close everything. The command supplies only `(transport, host, ctx) => HostResult`.
 */
import type { SafeStyled } from '../core/output-colour.js';
import { DockhandError } from '../core/errors.js';
import { createLogger, type Logger } from '../core/log.js';
import type { HostEntry } from '../model/types.js';
import { openTransport } from '../transport/open.js';
import { JumpPool } from '../transport/ssh/jump-pool.js';
import type { ConnectOptions, Pace, Transport } from '../transport/types.js';
import { interruptOnSigint } from './interrupt.js';
import type { ResultExporter } from './export/index.js';
import { createOutput } from './output.js';
import { createProgress, type FleetProgress } from './progress/index.js';
import { FleetCancelled, runFleet, type FleetOptions, type TaskContext } from './run.js';
import type { FleetReport, HostResult } from './types.js';

/** What a command's core needs from the command line: who to talk to and how to report. */
export interface RunContext {
  logger: Logger;
  json: boolean;
  /** The hosts to work on (inventory, -H, --limit applied), with their groups and variables. */
  hosts: HostEntry[];
  connect: ConnectOptions;
  /** How to run across the hosts: pass to runFleet together with a signal and an observer. */
  fleet: Pick<FleetOptions, 'concurrency' | 'failFast' | 'maxFailPercent'>;
}

export type HostTask = (transport: Transport, host: HostEntry, ctx: TaskContext & { logger: Logger }) => Promise<HostResult>;

export interface FleetCommandOptions {
  /** Replaces openTransport (tests; or a command that needs something else per host). */
  open?: typeof openTransport;
  /** Replaces the progress display chosen from the terminal and --json. */
  progress?: FleetProgress;
  /** Replaces the exporter chosen from --json (the summary table, or JSON events). */
  exporter?: ResultExporter;
  /** Overrides of the runner settings from the command line (e.g. connection pacing). */
  fleet?: Partial<FleetOptions>;
  /** The command's per-host output for the table, printed just before it (with --json it is in each host's data). */
  details?: (report: FleetReport) => string | SafeStyled | undefined;
  /** Work on this machine after every host is done, before the summary (e.g. docker contexts). */
  afterRun?: (report: FleetReport, logger: Logger) => Promise<void>;
  /**
   * The command prints its own result on stdout (the doctor's report): progress stays on stderr, and
   * the runner writes neither a result (no exporter) nor, with --json, progress events.
   */
  ownOutput?: boolean;
  /**
   * The task asks questions on the terminal (doctor --fix without --yes): progress is plain lines,
   * never a spinner or live block redrawn over the question.
   */
  interactive?: boolean;
}

/** Where JSON progress events go when the command prints its own result. */
const discard = { write: () => true } as unknown as NodeJS.WritableStream;

export async function runFleetCommand(ctx: RunContext, task: HostTask, opts: FleetCommandOptions = {}): Promise<FleetReport> {
  // A command that prints its own result (the doctor) has no exporter, and its JSON progress
  // events are not written either: stdout holds only its report.
  const hosts = ctx.hosts.map((h) => h.name);
  const ownProgress =
    opts.ownOutput || opts.interactive
      ? await createProgress({
          hosts,
          json: ctx.json,
          ...(opts.ownOutput ? { out: discard } : {}),
          // progressMode's rule: a dumb terminal gets plain lines.
          ...(opts.interactive ? { env: { ...process.env, TERM: 'dumb' } } : {}),
        })
      : undefined;
  const { progress, exporter, observer } = await createOutput({
    hosts,
    format: ctx.json ? 'json' : 'human',
    progress: opts.progress ?? ownProgress,
    exporter: opts.exporter ?? (opts.ownOutput ? { finish: () => {} } : undefined),
  });
  // Log lines go through the progress display so they never tear the live block.
  const logger = createLogger({
    verbose: ctx.logger.verbose,
    stream: { write: (text: string) => (text.replace(/\n$/, '').split('\n').forEach((line) => progress.log(line)), true) } as unknown as NodeJS.WritableStream,
  });
  const open = opts.open ?? openTransport;
  // The run's own jump connections: hosts behind one bastion share its login, and none outlives the run.
  const jumps = new JumpPool();
  const connected = new Map<string, Transport>();
  const interrupt = interruptOnSigint({ onSecond: () => endRemoteWork(connected) });
  try {
    const report = await runFleet(
      ctx.hosts,
      async (host, taskCtx) => {
        try {
          // A fleet's connections are paced per server (one host has nothing to be paced against).
          // The transport resolves the route (`ssh -G`) once and paces its handshakes by it; a
          // local host reaches no server.
          const pace: Pace | undefined = ctx.hosts.length > 1 ? (servers, start) => taskCtx.connect(start, servers) : undefined;
          const transport = await open(host.spec, ctx.connect, logger, { jumps, pace });
          connected.set(host.name, transport);
          try {
            return await task(transport, host, { ...taskCtx, logger });
          } finally {
            connected.delete(host.name);
            await transport.close().catch((err: unknown) => logger.debug(`${host.name}: close failed: ${String(err)}`));
          }
        } catch (err) {
          // The summary keeps one line per host; the whole story (command output, hint) goes to the log.
          if (!(err instanceof FleetCancelled)) logFailure(logger, host.name, err);
          throw err;
        }
      },
      { ...ctx.fleet, ...opts.fleet, signal: interrupt.signal, observer },
    );
    // A second Ctrl-C is ending the run: it prints its own last words and exits; no summary.
    if (interrupt.ending) await new Promise<never>(() => {});
    if (opts.afterRun) await opts.afterRun(report, logger);
    progress.stop();
    exporter.finish(report, opts.details);
    return report;
  } finally {
    interrupt.dispose();
    await jumps.closeAll();
  }
}

/**
 * Ctrl-C twice: end the commands still running on the hosts before the process exits (an apt-get
 * left running would die part-way when the connection drops, unseen), and name the hosts where a
 * root command was cut short: they may be half-configured. Written straight to stderr: the process
 * exits right after, so nothing else would print it.
 */
export async function endRemoteWork(connected: ReadonlyMap<string, Transport>, write = (t: string) => process.stderr.write(t)): Promise<void> {
  const hosts = [...connected];
  const cut = await Promise.all(hosts.map(([, t]) => (t.abort ? t.abort().catch(() => 1) : Promise.resolve(0))));
  const changing = hosts.filter((_, i) => cut[i]! > 0).map(([name]) => name);
  const lines = ['', `dockhand: interrupted again: ended what was running on ${hosts.length} host(s)`];
  if (changing.length) {
    lines.push(`dockhand: these hosts were being changed and may be half-configured: ${changing.join(', ')}`);
    lines.push('dockhand: run `dockhand plan` and `dockhand up` on them again');
  }
  write(`${lines.join('\n')}\n`);
}

/** A host's failure in full (message, command output, hint) for the log; the summary keeps one line. */
export function logFailure(logger: Logger, host: string, err: unknown): void {
  if (err instanceof DockhandError) {
    logger.error(err.message.startsWith(`${host}:`) ? err.message : `${host}: ${err.message}`);
    if (err.hint) logger.info(`  hint: ${err.hint}`);
  } else if (!(err instanceof Error && err.name === 'AbortError')) {
    logger.error(`${host}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}
