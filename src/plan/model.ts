/**
 * The plan: what `up` will run on one host and why, step by step. `plan` prints it, `up` applies it —
 * both from the same buildPlan() on the same facts, so the dry run is exact.
 */
import type { SourceKind, StepId } from '../playbook/schema.js';

export interface PlannedCommand {
  /** A POSIX sh script, run as `sh -c <script>` on the host. */
  script: string;
  /** Run as root (the transport adds sudo unless already root). */
  sudo: boolean;
  /** One line for progress and error messages. */
  summary: string;
}

export interface PlanStep {
  id: StepId;
  title: string;
  /** Why the step must run, or "ok: already …" when it has nothing to do. */
  reason: string;
  /** Empty when the host is already in the desired state. */
  commands: PlannedCommand[];
  /** Things the user must know (security implications, what is removed). */
  notes: string[];
  /** The step restarts (or may start) the Docker daemon. */
  restartsDocker?: boolean;
  /** The connecting user's groups changed: reopen the session before later steps. */
  reconnectAfter?: boolean;
  /** The commands only check (verify): they run, but the step changes nothing and is no change. */
  checksOnly?: boolean;
}

export interface Plan {
  host: string;
  playbook: string;
  /** "Ubuntu 24.04 (noble)". */
  distro: string;
  /** How the playbook was chosen ("ID=ubuntu", "ID_LIKE=ubuntu (UBUNTU_CODENAME=noble)"). */
  matchedBy: string;
  source: SourceKind;
  steps: PlanStep[];
}

/** Whether a step will change the host: it has commands, and they do more than check. */
export function changes(step: Pick<PlanStep, 'commands' | 'checksOnly'>): boolean {
  return step.commands.length > 0 && !step.checksOnly;
}

/** Number of steps that will change something (checks are not changes). */
export function changeCount(plan: Plan): number {
  return plan.steps.filter(changes).length;
}

export function isConverged(plan: Plan): boolean {
  return changeCount(plan) === 0;
}
