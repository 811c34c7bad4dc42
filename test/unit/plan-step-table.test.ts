/** The step table is complete: every step a playbook may declare has exactly one row (id, title, decide). */
import { describe, expect, it } from 'vitest';
import { Step } from '../../src/playbook/schema.js';
import { STEPS, stepDefinition } from '../../src/plan/steps/index.js';

const schemaIds = Step.options.map((o) => o.shape.step.value);

describe('plan step table', () => {
  it('has one row per schema step id, in the schema order', () => {
    expect(STEPS.map((s) => s.id)).toEqual(schemaIds);
  });
  it('titles are unique and non-empty', () => {
    const titles = STEPS.map((s) => s.title);
    expect(new Set(titles).size).toBe(titles.length);
    expect(titles.every((t) => t.length > 0)).toBe(true);
  });
  it('looks every id up', () => {
    for (const id of schemaIds) expect(stepDefinition(id).id).toBe(id);
  });
});

describe('plan steps ask the package manager for capabilities, not for its name', () => {
  it('no step module tests a package-manager tool or family by name', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../../src/plan/steps/', import.meta.url);
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        readFileSync(new URL(f, dir), 'utf8')
          .split('\n')
          .map((line, i) => ({ where: `${f}:${i + 1}`, line }))
          .filter(({ line }) => /pm\.(family|tool)\b|\.init\.system\s*[!=]==/.test(line)),
      );
    expect(offenders.map((o) => `${o.where}: ${o.line.trim()}`)).toEqual([]);
  });
});
