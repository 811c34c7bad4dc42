/**
 * The layer check (scripts/check-layers.mjs, run by `npm test`) on small trees written to a temp
 * dir: a clean one passes; a planted cycle (through a lazy import too), an import that points up the
 * declared order, and a folder without a layer are each reported.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// @ts-expect-error: a plain .mjs script, no declarations
import { checkLayers } from '../../scripts/check-layers.mjs';

const layers = ['core', 'fleet', 'commands', '.'];
let dir: string | undefined;

function tree(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'dockhand-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const clean = {
  'core/errors.ts': 'export class E extends Error {}\n',
  'fleet/run.ts': "import { E } from '../core/errors.js';\nexport const run = () => new E();\n",
  'commands/up.ts': "import { run } from '../fleet/run.js';\nexport const up = () => import('./up-run.js');\n",
  'commands/up-run.ts': "import type { E } from '../core/errors.js';\n// import { up } from './up.js'; (a comment, not an import)\nexport const x: E | undefined = undefined;\n",
  'cli.ts': "import { up } from './commands/up.js';\nup();\n",
};

describe('check-layers', () => {
  it('a tree whose imports point down and form no cycle passes', () => {
    expect(checkLayers(tree(clean), layers)).toEqual({ files: 5, cycles: [], upward: [], undeclared: [] });
  });

  it('finds a planted cycle, also one closed by a type-only import against a lazy one', () => {
    const r = checkLayers(
      tree({ ...clean, 'commands/up-run.ts': "import type { up } from './up.js';\nexport type U = typeof up;\n" }),
      layers,
    );
    expect(r.cycles).toEqual([['commands/up-run.ts', 'commands/up.ts']]);
    expect(r.upward).toEqual([]);
  });

  it('finds a cycle of three files and a file importing itself', () => {
    const r = checkLayers(
      tree({
        'core/a.ts': "export * from './b.js';\n",
        'core/b.ts': "export { c } from './c.js';\n",
        'core/c.ts': "import './a.js';\nexport const c = 1;\n",
        'core/self.ts': "export const s = () => import('./self.js');\n",
      }),
      layers,
    );
    expect(r.cycles).toEqual(expect.arrayContaining([['core/a.ts', 'core/b.ts', 'core/c.ts'], ['core/self.ts']]));
    expect(r.cycles).toHaveLength(2);
  });

  it('reports an import that points up the declared order, and a folder with no layer', () => {
    const r = checkLayers(
      tree({ ...clean, 'core/log.ts': "import { run } from '../fleet/run.js';\nrun();\n", 'extra/x.ts': 'export {};\n' }),
      layers,
    );
    expect(r.upward).toEqual(['core/log.ts -> fleet/run.ts (core is below fleet)']);
    expect(r.undeclared).toEqual(['extra']);
  });
});
