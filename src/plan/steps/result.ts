import type { PlannedCommand, PlanStep } from '../model.js';

/** What a step builder decides; build.ts adds id and title from the playbook. */
export type StepResult = Omit<PlanStep, 'id' | 'title'>;

export function ok(reason: string, notes: string[] = []): StepResult {
  return { reason: `ok: ${reason}`, commands: [], notes };
}

export function change(reason: string, commands: PlannedCommand[], extra: Partial<StepResult> = {}): StepResult {
  return { notes: [], ...extra, reason, commands };
}

export function rootCommand(summary: string, script: string): PlannedCommand {
  return { summary, script, sudo: true };
}
