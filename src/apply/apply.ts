/**
 * Apply a plan on one host: each step's commands in order through the transport (as root where
 * marked), stopping at the first failure with the command, its exit status and its last output
 * lines. The plan was made from facts by the same buildPlan `plan` uses, so nothing is decided here.
 * Progress goes through `report` — the fleet runner's (src/fleet/run.ts), so one progress system shows
 * every step whatever the command and however many hosts.
 */
import { CommandError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { Plan } from '../plan/model.js';
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

export interface ApplySummary {
  changed: number;
  ok: number;
  failed: number;
  skipped: number;
}

export async function applyPlan(plan: Plan, transport: Transport, report: StepReport, logger: Logger): Promise<ApplyResult> {
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
      let output = '';
      let result: Awaited<ReturnType<Transport['exec']>>;
      try {
        result = await transport.exec(cmd.script, {
          sudo: cmd.sudo,
          onOutput: (chunk) => {
            output += chunk;
          },
        });
      } catch (err) {
        // The transport itself failed (connection lost, sudo refused): the step failed; the host stops here.
        report(step.id, 'failed', (err instanceof Error ? err.message : String(err)).split('\n', 1)[0]);
        throw err;
      }
      if (result.code !== 0) {
        // Streamed output when the transport streamed it, else what it collected.
        const text = output || [result.stdout, result.stderr].filter(Boolean).join('\n');
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
    const status = step.commands.length ? 'changed' : 'ok';
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

export function summarize(result: ApplyResult): ApplySummary {
  const count = (s: StepOutcome['status']) => result.steps.filter((o) => o.status === s).length;
  return { changed: count('changed'), ok: count('ok'), failed: count('failed'), skipped: count('skipped') };
}

export function renderSummary(result: ApplyResult): string {
  const s = summarize(result);
  const parts = [`${s.changed} changed`, `${s.ok} ok`, `${s.failed} failed`];
  if (s.skipped) parts.push(`${s.skipped} not run`);
  return `${result.host}: ${parts.join(', ')}`;
}
