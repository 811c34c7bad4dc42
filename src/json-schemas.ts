/**
 * Every JSON Schema dockhand ships for editors (yaml-language-server, VS Code), in one place:
 * schemas/ at the top of the package. Each is generated from the zod schema that validates the files at
 * run time, so the editor and dockhand never disagree. `npm run schema` writes them
 * (scripts/schema.mjs); a unit test fails when a committed one differs from what this produces.
 */
import { checkDeclarationsJsonSchema } from './doctor/declarations.js';
import { inventoryJsonSchema } from './inventory/schema.js';
import { playbookJsonSchema } from './playbook/schema.js';

export interface SchemaFile {
  /** Relative to the package root. */
  path: string;
  text: string;
}

const text = (schema: object): string => `${JSON.stringify(schema, null, 2)}\n`;

export async function jsonSchemaFiles(): Promise<SchemaFile[]> {
  return [
    { path: 'schemas/checks.schema.json', text: text(await checkDeclarationsJsonSchema()) },
    { path: 'schemas/inventory.schema.json', text: text(inventoryJsonSchema()) },
    { path: 'schemas/playbook.schema.json', text: text(playbookJsonSchema()) },
  ];
}
