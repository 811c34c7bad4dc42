import type { TargetSpec } from '../transport/types.js';

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
}

/** One host to work on: how to reach it, which groups it is in, and its variables. */
export interface HostEntry {
  name: string;
  spec: TargetSpec;
  /** Every group the host is in, directly or through a child group; sorted. */
  groups: string[];
  vars: HostVars;
}

/**
 * Where a field of an inventory came from, for error messages: the line/column in the file and the
 * field's name as the user wrote it (an Ansible inventory says `ansible_port`, not `port`).
 */
export interface FieldLocation {
  /** The file, when it is not the inventory named by -i (an Ansible directory's files, group_vars/). */
  file?: string;
  line?: number;
  column?: number;
  field?: string;
}

export type Locate = (path: ReadonlyArray<PropertyKey>) => FieldLocation;
