/**
 * /etc/docker/daemon.json: parse what the host has, merge in the storage settings dockhand owns,
 * keep every other key. Pure: the apply script only writes the content computed here, after checking
 * the file still has the content this plan was made from.
 */
import { createHash } from 'node:crypto';
import { DockhandError, ExitCode, InputError } from '../core/errors.js';
import type { FileContent } from '../facts/types.js';
import { findJsonError } from './json-position.js';

export const DAEMON_JSON = '/etc/docker/daemon.json';

export type DaemonConfig = Record<string, unknown>;

/** The existing config ({} when there is no file). Invalid JSON is an InputError with line and column. */
export function parseDaemonJson(file: FileContent): DaemonConfig {
  if (!file.exists) return {};
  if (file.content === undefined) {
    throw new DockhandError(`${file.path}: exists but could not be read`, {
      exitCode: ExitCode.hostFailed,
      hint: 'run with sudo rights (passwordless sudo or --ask-become-pass) so the file can be read',
    });
  }
  if (file.content.trim() === '') return {};
  const syntax = findJsonError(file.content);
  if (syntax) {
    throw new InputError(file.path, `invalid JSON: ${syntax.message}; dockhand will not overwrite it`, {
      line: syntax.line,
      column: syntax.column,
      hint: 'fix the file (dockerd refuses to start with it as well), then run again',
    });
  }
  const parsed: unknown = JSON.parse(file.content);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InputError(file.path, 'must contain a JSON object ({ … }); dockhand will not overwrite it', { line: 1 });
  }
  return parsed as DaemonConfig;
}

export interface StorageSettings {
  driver: string;
  /** Engine ≥ 29 uses the containerd image store on fresh installs; false keeps the classic driver. */
  disableContainerdSnapshotter: boolean;
}

export interface DaemonJsonMerge {
  merged: DaemonConfig;
  /** Human-readable list of what differs ("storage-driver: vfs → overlay2"). Empty when unchanged. */
  changes: string[];
}

export function mergeStorageSettings(existing: DaemonConfig, want: StorageSettings): DaemonJsonMerge {
  const changes: string[] = [];
  const merged: DaemonConfig = { ...existing };
  if (existing['storage-driver'] !== want.driver) {
    changes.push(`storage-driver: ${describe(existing['storage-driver'])} → ${want.driver}`);
    merged['storage-driver'] = want.driver;
  }
  if (want.disableContainerdSnapshotter) {
    const features = existing.features;
    const base = features !== null && typeof features === 'object' && !Array.isArray(features) ? (features as DaemonConfig) : {};
    if (base['containerd-snapshotter'] !== false) {
      changes.push(`features.containerd-snapshotter: ${describe(base['containerd-snapshotter'])} → false`);
      merged.features = { ...base, 'containerd-snapshotter': false };
    }
  }
  return { merged, changes };
}

/** How daemon.json is written: two-space indent, trailing newline. */
export function renderDaemonJson(config: DaemonConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * Fingerprint of a file's content as the plan saw it. Trailing newlines are ignored on both sides
 * (the host computes it over `$(cat file)`, which drops them) so the check does not depend on how the
 * probe transported the text.
 */
export function contentHash(content: string): string {
  return createHash('sha256').update(content.replace(/\n+$/, '')).digest('hex');
}

function describe(v: unknown): string {
  return v === undefined ? '(unset)' : JSON.stringify(v);
}
