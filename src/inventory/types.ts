// Host entries and their variables are shared types (src/model/types.ts); re-exported here for the inventory's users.
export type { HostEntry, HostVars } from '../model/types.js';

// Where a field came from (file, line, the name the user wrote): the one YAML-with-schema loader's type.
export type { FieldLocation, Locate } from '../data/yaml-schema.js';
