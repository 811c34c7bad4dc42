/**
 * The step interface shared by `plan` and `render`: a step yields, from the playbook and the options
 * alone (a Target: no facts), the states it wants as HostTasks — a TEST that holds when the host is
 * converged and the ACTION that makes it hold. The test has two faces over one definition:
 * `holds(facts)` for `plan` (evaluated on gathered facts, with the same functions the step's decide()
 * uses) and `shell` for the rendered script (evaluated on the host as root). The rendered script runs
 * each action only when its shell test fails, so a converged host sees no change and no restart.
 *
 * A step module adding a new step exports `xxxTasks(target)` next to its decide() and registers both
 * in steps/index.ts.
 */
import type { Facts } from '../../facts/types.js';
import type { PlanContext } from '../context.js';

/** What a step may read to produce its tasks: everything the playbook and options decide, no facts. */
export type Target = Omit<PlanContext, 'facts'>;

export interface StateTest {
  /** The state in words, for the script's output ("docker-ce docker-ce-cli installed"). */
  what: string;
  /** POSIX sh condition, run as root on the host: exit 0 when the state holds. Nothing it runs changes the host. */
  shell: string;
  /**
   * The same test on gathered facts (plan): undefined when the facts cannot tell. Omitted for states
   * only the run itself creates (e.g. "daemon.json was changed by this run").
   */
  holds?(facts: Facts): boolean | undefined;
}

export interface HostTask {
  /** What the action does, one line ("install docker-ce …"). */
  summary: string;
  test: StateTest;
  /** POSIX sh lines run (as root, in a subshell under `set -eu`) when the test fails. */
  action: string[];
  /** The action changes the daemon's configuration: a running dockerd must restart to see it. */
  changesDaemonConfig?: boolean;
  /** Said whenever the step runs (e.g. the docker group is root-equivalent). */
  notes?: string[];
  /** The action only waits (for cloud-init): it runs when the test fails, but is not a change. */
  waits?: boolean;
  /**
   * A check, not a change (verify): the script always runs it after the changes and fails when it
   * fails; --dry-run lists it without running. Its test is unused.
   */
  check?: boolean;
}


/** A condition checked on the host before any task runs; when it fails the script changes nothing. */
export interface Preflight {
  what: string;
  /** POSIX sh condition (its stderr is shown when it fails). */
  shell: string;
  refusal: string;
  exitCode: number;
}

/** Shell: every command in `conds` succeeds (each an `if`-able condition). */
export function allOf(conds: readonly string[]): string {
  if (conds.length === 0) return 'true';
  return conds.length === 1 ? conds[0]! : conds.map((c) => `{ ${c}; }`).join(' && ');
}
