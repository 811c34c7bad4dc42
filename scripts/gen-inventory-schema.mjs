// Regenerate schemas/inventory.schema.json from the zod schema (run after `npm run build`).
// test/unit/inventory-schema.test.ts fails when the committed file is stale.
import { writeFileSync, mkdirSync } from 'node:fs';
import { inventoryJsonSchema } from '../dist/src/inventory/schema.js';

const target = new URL('../schemas/inventory.schema.json', import.meta.url);
mkdirSync(new URL('.', target), { recursive: true });
writeFileSync(target, JSON.stringify(inventoryJsonSchema(), null, 2) + '\n');
console.log(`wrote ${target.pathname}`);
