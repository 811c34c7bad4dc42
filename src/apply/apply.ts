/**
 * Apply a plan on one host: each step's commands in order through the transport (as root where
 * marked), stopping at the first failure with the command, its exit status and its last output
 * lines. The plan was made from facts by the same buildPlan `plan` uses, so nothing is decided here.
 * Progress goes through `report` — the fleet runner's (src/fleet/run.ts), so one progress system shows
 * every step whatever the command and however many hosts.
 */
import { clipLine } from '../core/bounded.js';
import { CommandError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { StepCounts } from '../model/types.js';
import { changes, type PlanStep } from '../plan/model.js';
import { PROGRESS_MARK } from '../plan/script.js';
import type { Transport } from '../transport/types.js';
import type { TaskContext } from '../fleet/run.js';

export interface StepOutcome {
  id: string;
  status: 'changed' | 'ok' | 'failed' | 'skipped';
}

/** Reports a step as running, then how it ended (the fleet's TaskContext.report). */
export type StepReport = TaskContext['report'];

export interface ApplyResult {
  host: string;
  steps: StepOutcome[];
  error?: CommandError;
}

/** What applyPlan needs of a plan: `up`'s Plan, or `down`'s removal plan (its own step ids). */
export interface AppliablePlan {
  host: string;
  steps: ReadonlyArray<Omit<PlanStep, 'id'> & { id: string }>;
}

export async function applyPlan(plan: AppliablePlan, transport: Transport, report: StepReport, logger: Logger): Promise<ApplyResult> {
  const outcomes: StepOutcome[] = [];
  let error: CommandError | undefined;
  for (const [index, step] of plan.steps.entries()) {
    if (error) {
      outcomes.push({ id: step.id, status: 'skipped' });
      continue;
    }
    report(step.id, 'running', `[${index + 1}/${plan.steps.length}] ${step.title}`);
    for (const note of step.commands.length ? step.notes : []) logger.info(`${plan.host}: note: ${note}`);
    for (const cmd of step.commands) {
      logger.command(plan.host, cmd.script);
      // Command output stays out of the progress display, except the lines a script marks as
      // progress (long waits for a lock or cloud-init): those update the running step.
      const progressLines = progressLineSplitter((text) => report(step.id, 'running', text));
      let result: Awaited<ReturnType<Transport['exec']>>;
      try {
        result = await transport.exec(cmd.script, {
          sudo: cmd.sudo,
          onOutput: progressLines,
        });
      } catch (err) {
        // The transport itself failed (connection lost, sudo refused): the step failed; the host stops here.
        report(step.id, 'failed', (err instanceof Error ? err.message : String(err)).split('\n', 1)[0]);
        throw err;
      }
      if (result.code !== 0) {
        // The transport's bounded capture is the one copy (src/core/bounded.ts); stderr last, where
        // apt and dpkg say what went wrong.
        const text = [result.stdout, result.stderr].filter(Boolean).join('\n');
        error = new CommandError(
          plan.host,
          `${step.id}: ${cmd.summary}`,
          result.code,
          result.timedOut ? `${text}\n(timed out)` : text,
          `see the step with \`dockhand plan\`; re-run \`dockhand up\` after fixing (finished steps are skipped)`,
        );
        break;
      }
    }
    if (error) {
      report(step.id, 'failed', error.code === null ? 'no exit status' : `exit ${error.code}`);
      outcomes.push({ id: step.id, status: 'failed' });
      continue;
    }
    // A step that only checks (verify) is ok when its checks pass: it changed nothing.
    const status = changes(step) ? 'changed' : 'ok';
    report(step.id, status, step.reason);
    outcomes.push({ id: step.id, status });
    // A new group membership reaches our own session only through a new login.
    if (step.reconnectAfter && step.commands.length) {
      logger.info(`${plan.host}: reconnecting so the new docker group membership applies`);
      await transport.reconnect();
    }
  }
  return { host: plan.host, steps: outcomes, error };
}

/**
 * A dry run's progress: every step reported as it would end. A step that would change the host counts
 * as "changed", as Ansible's check mode does (verify's checks change nothing: ok).
 */
export function reportPlanned(plan: AppliablePlan, report: StepReport): void {
  for (const step of plan.steps) {
    report(step.id, 'running');
    report(step.id, changes(step) ? 'changed' : 'ok', step.reason);
  }
}

export function summarize(result: ApplyResult): StepCounts {
  const count = (s: StepOutcome['status']) => result.steps.filter((o) => o.status === s).length;
  return { changed: count('changed'), ok: count('ok'), failed: count('failed'), skipped: count('skipped') };
}

export function renderSummary(result: ApplyResult): string {
  const s = summarize(result);
  const parts = [`${s.changed} changed`, `${s.ok} ok`, `${s.failed} failed`];
  if (s.skipped) parts.push(`${s.skipped} not run`);
  return `${result.host}: ${parts.join(', ')}`;
}

/** The user-facing text of a script's progress line, or undefined for other output. */
export function progressText(line: string): string | undefined {
  return line.startsWith(PROGRESS_MARK) ? line.slice(PROGRESS_MARK.length).trim() : undefined;
}

/** Feed output chunks (which may split lines anywhere); `emit` gets each marked progress line's text. */
export function progressLineSplitter(emit: (text: string) => void): (chunk: string) => void {
  let partial = '';
  return (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    // A line without end is not a progress line worth keeping whole: hold only what can be shown.
    if (partial.length > PARTIAL_MAX) partial = partial.slice(0, PARTIAL_MAX);
    for (const line of lines) {
      const text = progressText(line);
      if (text) emit(clipLine(text));
    }
  };
}

/** The most of an unfinished output line kept while waiting for its end. */
const PARTIAL_MAX = 4096;
