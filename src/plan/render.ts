/**
 * Text form of a plan. By default compact, to read at a glance: per host a heading, one line per step
 * (status, what, why) and under a step that changes the host one line per command (its summary).
 * `showCommands` (plan --show-commands / -v) adds, under each command, exactly the script `up` runs.
 *
 * Every piece is made safe here (host text: safeLine; script lines: safeText, which keeps tabs), and
 * only then coloured with `paint` (src/core/output-colour.ts): host text can neither forge a line nor
 * carry an escape sequence, and with colour off the text is exactly the plain one.
 */
import { safeLine, safeText } from '../core/output.js';
import { plainPaint, type Paint } from '../core/output-colour.js';
import { changeCount, changes, type Plan, type PlanStep } from './model.js';

export interface RenderPlanOptions {
  /** Print every command's full script (byte-identical to what `up` runs), not only its summary. */
  showCommands?: boolean;
  paint?: Paint;
}

/** change: it changes the host; check: its commands only check (verify), no change; ok: nothing to run. */
const stepStatus = (step: PlanStep): 'change' | 'check' | 'ok' => (changes(step) ? 'change' : step.commands.length ? 'check' : 'ok');

export function renderPlan(plan: Plan, opts: RenderPlanOptions = {}): string {
  const paint = opts.paint ?? plainPaint;
  const out: string[] = [];
  const n = changeCount(plan);
  out.push(paint('bold', safeLine(`${plan.host}: ${plan.distro} — playbook ${plan.playbook} (${plan.matchedBy}), source ${plan.source}`)));
  const idWidth = Math.max(...plan.steps.map((s) => s.id.length));
  for (const step of plan.steps) {
    const status = stepStatus(step);
    // "ok: already …" reasons: the status column says ok already.
    const why = status === 'ok' ? step.reason.replace(/^ok: /, '') : step.reason;
    const label = status.padEnd(6);
    out.push(`  ${paint(status === 'change' ? 'change' : 'ok', label)} ${safeLine(step.id.padEnd(idWidth))}  ${safeLine(`${step.title} — ${why}`)}`);
    // Notes say what a change implies (root-equivalence, a restart): only where something changes.
    if (status === 'ok') continue;
    const pad = ' '.repeat(9 + idWidth + 2);
    for (const note of notesOf(step)) out.push(`${pad}${paint('warn', 'note:')} ${safeLine(note)}`);
    for (const cmd of step.commands) {
      out.push(`${pad}${paint('dim', '•')} ${safeLine(`${cmd.summary}${cmd.sudo ? ' (as root)' : ''}`)}`);
      if (opts.showCommands) for (const line of cmd.script.split('\n')) out.push(`${pad}  ${paint('dim', '|')} ${safeText(line)}`);
    }
  }
  if (n === 0) out.push(`  ${paint('ok', 'converged: nothing to do')}`);
  else {
    const hint = opts.showCommands ? '' : ' (--show-commands prints the scripts)';
    out.push(`  ${paint('change', `${n} of ${plan.steps.length} steps will change the host`)}${hint}`);
  }
  return `${out.join('\n')}\n`;
}

function notesOf(step: PlanStep): string[] {
  return [
    ...step.notes,
    ...(step.restartsDocker ? ['restarts the Docker daemon'] : []),
    ...(step.reconnectAfter ? ['reconnects afterwards so the new group applies to this session'] : []),
  ];
}
