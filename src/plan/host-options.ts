/**
 * The plan options for one host: its inventory variables, overridden by command-line flags.
 * Flags win because they are the most specific thing the user said for THIS run (as Ansible's
 * extra vars beat inventory vars); the inventory holds what is normally true of the host.
 * Whole values are replaced, never merged: `--users a` means exactly a, not a plus the inventory's.
 */
import type { Facts } from '../facts/types.js';
import type { HostVars } from '../inventory/types.js';
import type { DistroOverride } from '../playbook/select.js';
import type { PlanOptions } from './context.js';
import type { DaemonOptions } from './daemon-settings.js';

export type HostPlanOptions = PlanOptions & DistroOverride;

export function planOptionsFor(vars: HostVars, flags: HostPlanOptions): HostPlanOptions {
  return {
    source: flags.source ?? vars.source,
    dockerVersion: flags.dockerVersion ?? vars.docker_version,
    mirror: flags.mirror ?? vars.mirror,
    channel: flags.channel ?? vars.channel,
    keyFingerprint: flags.keyFingerprint ?? vars.key_fingerprint,
    users: flags.users ?? vars.users,
    os: flags.os ?? vars.os,
    codename: flags.codename ?? vars.codename,
    allowStorageSwitch: flags.allowStorageSwitch,
    daemon: daemonOptionsFor(vars.daemon, flags.daemon),
    becomePassword: flags.becomePassword,
  };
}

/**
 * The daemon settings: the inventory's `daemon:` keys with `--daemon-opt` keys over them (key by key:
 * both name daemon.json keys), the first-class flags on top. Nested objects become dotted keys, so
 * `log-opts: {max-size: 10m}` sets that one option and keeps the file's other log options.
 */
export function daemonOptionsFor(inventory: Record<string, unknown> | undefined, flags: DaemonOptions | undefined): DaemonOptions | undefined {
  if (inventory === undefined && flags === undefined) return undefined;
  const settings = { ...flatten(inventory ?? {}), ...flatten(flags?.settings ?? {}) };
  return { ...flags, ...(Object.keys(settings).length ? { settings } : { settings: undefined }) };
}

function flatten(map: Readonly<Record<string, unknown>>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(map)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length) Object.assign(out, flatten(value as Record<string, unknown>, path));
    else out[path] = value;
  }
  return out;
}

/** The OS for the summary table: `debian 12`, and what it is treated as when overridden. */
export function osLabel(facts: Facts, override: DistroOverride = {}): string {
  const detected = [facts.os.id, facts.os.versionId].filter(Boolean).join(' ') || 'unknown';
  const as = [override.os, override.codename].filter(Boolean).join(' ');
  return as ? `${detected} (as ${as})` : detected;
}
