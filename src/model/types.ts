/**
 * The shared vocabulary of dockhand: what a host is before connecting (target specs, host entries
 * with their inventory variables) and how a step ends (status and counts). A leaf: it imports
 * nothing, so the transport, the inventory, the fleet runner and the plan can all use one type each.
 */

/** A host as named on the command line or in an inventory, before connecting. */
export interface TargetSpec {
  /** What the user calls it (inventory name, or the -H string). */
  name: string;
  /** 'local' for this machine; otherwise SSH. */
  kind: 'local' | 'ssh';
  host?: string;
  user?: string;
  port?: number;
  identityFiles?: string[];
  /** `user@host:port` of a jump host (ProxyJump), possibly a comma-separated chain. */
  jump?: string;
  /** OpenSSH config read instead of ~/.ssh/config (inventory `ssh_config`); `--ssh-config` overrides it. */
  sshConfigFile?: string;
}

/** Playbook variables of one host after precedence (defaults < groups, parent first < host). */
export interface HostVars {
  os?: string;
  codename?: string;
  users?: string[];
  source?: 'docker' | 'distro';
  docker_version?: string;
  mirror?: string;
  channel?: 'stable' | 'test';
  key_fingerprint?: string;
  /** daemon.json keys (inventory `daemon:`) → JSON values; null removes a key. */
  daemon?: Record<string, unknown>;
}

/** One host to work on: how to reach it, which groups it is in, and its variables. */
export interface HostEntry {
  name: string;
  spec: TargetSpec;
  /** Every group the host is in, directly or through a child group; sorted. */
  groups: string[];
  vars: HostVars;
}

/** A step is `running` until it ends in one of the other states. */
export type StepStatus = 'running' | 'ok' | 'changed' | 'failed' | 'skipped';

/** How many steps of a host ended in each state (the fleet summary, `up --json`'s `summary`). */
export type StepCounts = Record<Exclude<StepStatus, 'running'>, number>;
