/** Text form of a removal plan (`plan --down`): per step, why, then exactly the scripts `down` runs. */
import type { DownPlan } from './model.js';

export function renderDownPlan(plan: DownPlan): string {
  const out = [`${plan.host}: ${plan.distro} — removal (playbook ${plan.playbook})`];
  plan.steps.forEach((step, i) => {
    out.push(`  [${i + 1}/${plan.steps.length}] ${step.id}: ${step.title} — ${step.commands.length ? 'change' : 'ok'}`);
    out.push(`      ${step.commands.length ? `why: ${step.reason}` : step.reason}`);
    for (const note of step.commands.length ? step.notes : []) out.push(`      note: ${note}`);
    for (const cmd of step.commands) {
      out.push(`      # ${cmd.summary}${cmd.sudo ? ' (as root)' : ''}`);
      for (const line of cmd.script.split('\n')) out.push(`      | ${line}`);
    }
  });
  const n = plan.steps.filter((s) => s.commands.length).length;
  out.push(n === 0 ? '  nothing to remove' : `  ${n} of ${plan.steps.length} steps will change the host`);
  return `${out.join('\n')}\n`;
}
