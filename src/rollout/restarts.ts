/**
 * What the plan says about the host's running containers when it restarts the Docker daemon: which
 * stop, which come back by their restart policy, which stay stopped — or that none stop, where the
 * daemon's `live-restore` keeps them running across the restart (a configuration restart, or an
 * upgrade within one major.minor release: Docker supports live restore across patch releases only).
 * Pure: facts and the containers list in, note text out.
 */
import type { Facts } from '../facts/types.js';
import type { Plan, PlanStep } from '../plan/model.js';
import { versionSatisfies } from '../plan/steps/packages.js';
import { comesBack, type ContainerList } from './containers.js';

export interface RestartInput {
  facts: Facts;
  /** The running containers (undefined: not asked, e.g. no daemon running). */
  containers?: ContainerList;
  /** --docker-version, when given. */
  dockerVersion?: string;
  /** The engine package of the plan's source (docker-ce, docker.io). */
  engine?: string;
}

export function liveRestoreOn(facts: Facts): boolean {
  const text = facts.daemonJson?.content;
  if (!facts.daemonJson?.exists || text === undefined) return false;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && (parsed as Record<string, unknown>)['live-restore'] === true;
  } catch {
    return false;
  }
}

/** x.y of a version like 5:27.5.1-1~debian… or 27.5.1. */
const minorOf = (v: string | undefined) => v?.replace(/^\d+:/, '').match(/^(\d+\.\d+)/)?.[1];

/**
 * The step that restarts the daemon, and whether live restore can span it: the packages step when it
 * moves an installed engine to another version; conflicting packages removed (another engine: no live
 * restore); a step marked restartsDocker (configuration: live restore applies).
 */
function restartingStep(plan: Plan, input: RestartInput): { step: PlanStep; liveRestorable: boolean; why: string } | undefined {
  const changes = (id: string) => plan.steps.find((s) => s.id === id && s.commands.length > 0);
  const installed = input.engine ? input.facts.packages[input.engine] : undefined;
  const conflicts = changes('remove-conflicts');
  if (conflicts) return { step: conflicts, liveRestorable: false, why: 'another engine package is replaced' };
  const pkgs = changes('packages');
  if (pkgs && installed && input.dockerVersion && !versionSatisfies(installed, input.dockerVersion)) {
    const from = minorOf(installed);
    const patch = from !== undefined && from === minorOf(input.dockerVersion);
    return {
      step: pkgs,
      liveRestorable: patch,
      why: patch ? `${installed} → ${input.dockerVersion} is a patch release` : `${installed} → ${input.dockerVersion} is not a patch release`,
    };
  }
  const config = plan.steps.find((s) => s.restartsDocker && s.commands.length > 0);
  if (config) return { step: config, liveRestorable: true, why: 'a configuration restart' };
  return undefined;
}

/** The note for the step that restarts the daemon, or undefined when the plan does not restart it. */
export function restartNote(plan: Plan, input: RestartInput): { stepId: string; note: string } | undefined {
  const found = restartingStep(plan, input);
  if (!found || !input.facts.dockerd) return undefined;
  const { step, liveRestorable, why } = found;
  const list = input.containers;
  if (!list?.answered) return { stepId: step.id, note: 'restarts the Docker daemon: its running containers could not be listed' };
  const running = list.containers.filter((c) => c.status === 'running');
  if (running.length === 0) return { stepId: step.id, note: 'restarts the Docker daemon: no container is running' };
  const names = (cs: typeof running) => cs.map((c) => c.name).join(', ');
  if (liveRestoreOn(input.facts) && liveRestorable) {
    return { stepId: step.id, note: `live-restore is on (${why}): no container restarts; ${running.length} keep running (${names(running)})` };
  }
  const back = running.filter(comesBack);
  const stay = running.filter((c) => !comesBack(c));
  const parts = [`restarts the Docker daemon${liveRestoreOn(input.facts) ? ` (live-restore cannot span it: ${why})` : ''}: ${running.length} running container(s) stop`];
  if (back.length) parts.push(`${back.length} restart by their restart policy (${names(back)})`);
  if (stay.length) parts.push(`${stay.length} stay stopped, having no restart policy (${names(stay)})`);
  return { stepId: step.id, note: parts.join('; ') };
}

/** The plan with the restart note added to its step (the same plan when there is none). */
export function withRestartNote(plan: Plan, input: RestartInput): Plan {
  const found = restartNote(plan, input);
  if (!found) return plan;
  return { ...plan, steps: plan.steps.map((s) => (s.id === found.stepId ? { ...s, notes: [...s.notes, found.note] } : s)) };
}

/** Whether the plan may restart a running daemon (then its containers are worth listing). */
export function mayRestartDaemon(plan: Plan, input: Omit<RestartInput, 'containers'>): boolean {
  return input.facts.dockerd !== undefined && restartingStep(plan, input) !== undefined;
}
