// `npm run schema`: write every JSON Schema (schemas/*.schema.json) from the zod schemas, after the
// build. test/unit/json-schemas.test.ts fails when a committed file differs from what this writes.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { jsonSchemaFiles } from '../dist/src/json-schemas.js';

const root = new URL('../', import.meta.url);
const files = await jsonSchemaFiles();
mkdirSync(new URL('schemas/', root), { recursive: true });
for (const f of files) {
  writeFileSync(new URL(f.path, root), f.text);
  console.error(`wrote ${f.path}`);
}
// A schema no longer generated is not left behind for editors to use.
for (const name of readdirSync(new URL('schemas/', root))) {
  if (name.endsWith('.schema.json') && !files.some((f) => f.path === `schemas/${name}`)) {
    rmSync(new URL(`schemas/${name}`, root));
    console.error(`removed schemas/${name}`);
  }
}
