import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { inventoryJsonSchema } from '../../src/inventory/schema.js';

describe('schemas/inventory.schema.json', () => {
  it('is up to date with the zod schema (regenerate: npm run build && node scripts/gen-inventory-schema.mjs)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../schemas/inventory.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(inventoryJsonSchema());
  });

  it('rejects unknown keys for editors too', () => {
    const schema = inventoryJsonSchema() as { additionalProperties?: boolean; properties: Record<string, unknown> };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(['defaults', 'groups', 'hosts']);
  });
});
