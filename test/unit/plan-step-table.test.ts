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
