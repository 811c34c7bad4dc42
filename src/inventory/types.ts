// Host entries and their variables are shared types (src/model/types.ts); re-exported here for the inventory's users.
export type { HostEntry, HostVars } from '../model/types.js';

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
