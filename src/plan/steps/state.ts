/** What one plan knows while its steps are decided: the one argument every step gets besides the context. */
import type { DaemonSettingsPlan } from '../daemon-settings.js';
import type { PlanStep } from '../model.js';

/** What the storage step will change, analysed before any step runs. */
export interface StorageWork {
  /** The new daemon.json text, when it changes. */
  daemonJson?: { content: string; changes: string[]; previousHash: string | 'absent' };
  loadModule: boolean;
  persistModule: boolean;
  /** The daemon settings behind daemonJson (src/plan/daemon-settings.ts): what changes and why. */
  settings?: DaemonSettingsPlan;
}

export interface PlanState {
  /** The steps decided so far, in order. */
  readonly earlier: readonly PlanStep[];
  /** The storage analysis (undefined: nothing to change, or no storage step). */
  readonly storage: StorageWork | undefined;
}
