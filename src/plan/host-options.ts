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

export type HostPlanOptions = PlanOptions & DistroOverride;

export function planOptionsFor(vars: HostVars, flags: HostPlanOptions): HostPlanOptions {
  return {
    source: flags.source ?? vars.source,
    dockerVersion: flags.dockerVersion ?? vars.docker_version,
    mirror: flags.mirror ?? vars.mirror,
    channel: flags.channel ?? vars.channel,
    keyFingerprint: flags.keyFingerprint ?? vars.key_fingerprint,
    users: flags.users ?? vars.users,
    rootless: flags.rootless ?? vars.rootless,
    os: flags.os ?? vars.os,
    codename: flags.codename ?? vars.codename,
    allowStorageSwitch: flags.allowStorageSwitch,
    becomePassword: flags.becomePassword,
  };
}

/** The OS for the summary table: `debian 12`, and what it is treated as when overridden. */
export function osLabel(facts: Facts, override: DistroOverride = {}): string {
  const detected = [facts.os.id, facts.os.versionId].filter(Boolean).join(' ') || 'unknown';
  const as = [override.os, override.codename].filter(Boolean).join(' ');
  return as ? `${detected} (as ${as})` : detected;
}
