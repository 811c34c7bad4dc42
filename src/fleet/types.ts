/** The vocabulary of fleet runs, shared by the runner, the progress renderers and the commands. */
import type { ExitCode } from '../core/errors.js';
import type { StepCounts, StepStatus } from '../model/types.js';

export type { StepCounts, StepStatus };

/**
 * How one host ended. `skipped`: the task decided there was nothing to do for it;
 * `cancelled`: not started, or stopped between steps (Ctrl-C, --fail-fast, --max-fail-percent).
 */
export type HostOutcome = 'ok' | 'changed' | 'failed' | 'unreachable' | 'skipped' | 'cancelled';

/** What a task returns for its host. Throwing works too: ConnectError → unreachable, else failed. */
export interface HostResult {
  outcome: Exclude<HostOutcome, 'cancelled'>;
  /** Detected OS for the summary, e.g. "debian 12". */
  os?: string;
  /** One line for the summary when the host failed. */
  error?: string;
  /** Anything the command wants in its own report (facts, a plan). */
  data?: unknown;
}

export interface HostReport {
  host: string;
  outcome: HostOutcome;
  os?: string;
  error?: string;
  /** The exit code of the error that ended the host (see fleetExitCode); absent when it did not fail. */
  errorCode?: ExitCode;
  steps: StepCounts;
  durationMs: number;
  data?: unknown;
}

/** `gate-failed`: a rolling run's batch had a host that failed (its health gate or its run): no later batch starts. */
export type StopReason = 'interrupted' | 'fail-fast' | 'max-fail-percent' | 'gate-failed';

export interface FleetReport {
  /** In the order the hosts were given. */
  hosts: HostReport[];
  exitCode: ExitCode;
  /** Set when the run stopped starting hosts before the end. */
  stopped?: StopReason;
  durationMs: number;
}

/** Receives every event of a run, in order; progress renderers implement it. */
export interface FleetObserver {
  hostStarted?(host: string): void;
  step?(host: string, step: string, status: StepStatus, durationMs?: number, detail?: string): void;
  hostFinished?(report: HostReport): void;
  stopping?(reason: StopReason, running: number): void;
  /** A rolling run (--serial) starts batch `index` (from 0) of `total`. */
  batch?(index: number, total: number, hosts: readonly string[]): void;
}
