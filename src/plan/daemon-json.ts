/**
 * /etc/docker/daemon.json: parse what the host has, merge in the settings dockhand manages (a key at
 * a time, into objects where the key is dotted), keep every other key. Pure: the apply script only writes the content computed here, after checking
 * the file still has the content this plan was made from.
 */
import { createHash } from 'node:crypto';
import { DockhandError, ExitCode, InputError } from '../core/errors.js';
import type { FileContent } from '../facts/types.js';
import { redactUrl } from '../core/daemon-values.js';
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

/** One daemon.json value dockhand wants, and why. `value` undefined: the key must be absent. */
export interface Want {
  path: readonly string[];
  value: unknown;
  /** The option behind it ("--log-max-size", "inventory daemon:"). */
  source: string;
  /** What it does, for the plan. */
  why: string;
}

export interface DaemonChange {
  key: string;
  from: unknown;
  to: unknown;
  source: string;
  why: string;
}

export function readKey(config: DaemonConfig, path: readonly string[]): unknown {
  let node: unknown = config;
  for (const seg of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as DaemonConfig)[seg];
  }
  return node;
}

const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as DaemonConfig)[k])]));
  return v;
}

/** A copy of `config` with `path` set (objects on the way created or copied; other keys kept) or removed. */
function withKey(config: DaemonConfig, path: readonly string[], value: unknown): DaemonConfig {
  const [head, ...rest] = path as [string, ...string[]];
  const out: DaemonConfig = { ...config };
  if (rest.length === 0) {
    if (value === undefined) delete out[head];
    else out[head] = value;
    return out;
  }
  const child = out[head];
  const base = child !== null && typeof child === 'object' && !Array.isArray(child) ? (child as DaemonConfig) : {};
  out[head] = withKey(base, rest, value);
  return out;
}

/** Merge the wants into the existing config: every other key kept; a later want for the same key wins. */
export function mergeWants(existing: DaemonConfig, wants: readonly Want[]): { merged: DaemonConfig; changes: DaemonChange[] } {
  let merged = existing;
  const changes = new Map<string, DaemonChange>();
  for (const want of wants) {
    const key = want.path.join('.');
    const before = readKey(existing, want.path);
    merged = withKey(merged, want.path, want.value);
    if (same(before, want.value)) changes.delete(key);
    else changes.set(key, { key, from: before, to: want.value, source: want.source, why: want.why });
  }
  return { merged, changes: [...changes.values()] };
}

/** `key: from → to`, as the plan's `why:` line lists it (strings bare on the right, as `up` always printed). */
export function describeChange(c: DaemonChange): string {
  const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));
  const to = c.to === undefined ? '(removed)' : typeof c.to === 'string' ? c.to : JSON.stringify(c.to);
  const value = c.key.startsWith('proxies.') ? redactUrl(String(to)) : to;
  return `${c.key}: ${c.key.startsWith('proxies.') && c.from !== undefined ? redactUrl(show(c.from)) : show(c.from)} → ${value}`;
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

/** The storage keys alone (what `up` merged before the daemon settings; kept for its callers). */
export function mergeStorageSettings(existing: DaemonConfig, want: StorageSettings): DaemonJsonMerge {
  const wants: Want[] = [{ path: ['storage-driver'], value: want.driver, source: 'storage', why: '' }];
  if (want.disableContainerdSnapshotter) wants.push({ path: ['features', 'containerd-snapshotter'], value: false, source: 'storage', why: '' });
  const { merged, changes } = mergeWants(existing, wants);
  return { merged, changes: changes.map(describeChange) };
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
