/**
 * Golden files under test/golden: `checkGolden('plans/x.txt', text)` compares, `UPDATE_GOLDEN=1`
 * rewrites (review the diff). A missing file fails everywhere: writing it here would make a new case
 * pass without anyone reading it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const GOLDEN_ROOT = fileURLToPath(new URL('../golden/', import.meta.url));

export function checkGolden(file: string, actual: string): void {
  const path = `${GOLDEN_ROOT}${file}`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path}: run with UPDATE_GOLDEN=1 and review the new file`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
