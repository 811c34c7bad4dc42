/**
 * Every JSON Schema in schemas/ is what `npm run schema` generates now from the zod schemas: an edit
 * to a schema without regenerating fails here, so an editor never checks against a stale schema.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFiles } from '../../src/json-schemas.js';

const root = new URL('../../', import.meta.url);

describe('schemas/ (npm run schema)', async () => {
  const files = await jsonSchemaFiles();

  it('holds the playbook, inventory and check declaration schemas, and nothing stale besides', () => {
    expect(files.map((f) => f.path)).toEqual(['schemas/checks.schema.json', 'schemas/inventory.schema.json', 'schemas/playbook.schema.json']);
    expect(readdirSync(new URL('schemas/', root)).sort()).toEqual(files.map((f) => f.path.replace('schemas/', '')));
    expect(existsSync(new URL('playbooks/schema.json', root))).toBe(false);
  });

  it.each(files.map((f) => [f.path, f.text]))('%s is up to date (regenerate: npm run schema)', (path, text) => {
    expect(readFileSync(new URL(path, root), 'utf8')).toBe(text);
  });

  it('rejects unknown keys for editors too', () => {
    const inventory = JSON.parse(files.find((f) => f.path.includes('inventory'))!.text) as { additionalProperties?: boolean; properties: Record<string, unknown> };
    expect(inventory.additionalProperties).toBe(false);
    expect(Object.keys(inventory.properties)).toEqual(['defaults', 'groups', 'hosts']);
  });

  it('the shipped YAML files point their editors at schemas/', () => {
    for (const name of readdirSync(new URL('playbooks/', root)).filter((n) => n.endsWith('.yaml'))) {
      expect(readFileSync(new URL(`playbooks/${name}`, root), 'utf8').split('\n')[0], name).toBe('# yaml-language-server: $schema=../schemas/playbook.schema.json');
    }
  });
});
