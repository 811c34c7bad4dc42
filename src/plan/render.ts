/** Text form of a plan: per step, why, then exactly the scripts `up` runs. */
import { changeCount, changes, type Plan } from './model.js';

export function renderPlan(plan: Plan): string {
  const out: string[] = [];
  const n = changeCount(plan);
  out.push(`${plan.host}: ${plan.distro} — playbook ${plan.playbook} (${plan.matchedBy}), source ${plan.source}`);
  plan.steps.forEach((step, i) => {
    const mark = changes(step) ? 'change' : step.commands.length ? 'check' : 'ok';
    out.push(`  [${i + 1}/${plan.steps.length}] ${step.id}: ${step.title} — ${mark}`);
    out.push(`      ${step.commands.length ? `why: ${step.reason}` : step.reason}`);
    for (const note of step.notes) out.push(`      note: ${note}`);
    if (step.restartsDocker) out.push('      note: restarts the Docker daemon');
    if (step.reconnectAfter) out.push('      note: reconnects afterwards so the new group applies to this session');
    for (const cmd of step.commands) {
      out.push(`      # ${cmd.summary}${cmd.sudo ? ' (as root)' : ''}`);
      for (const line of cmd.script.split('\n')) out.push(`      | ${line}`);
    }
  });
  out.push(n === 0 ? `  converged: nothing to do` : `  ${n} of ${plan.steps.length} steps will change the host`);
  return `${out.join('\n')}\n`;
}
