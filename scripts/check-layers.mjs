#!/usr/bin/env node
// The layer check (run by `npm test`, so in CI): every module of src/ is one folder, the folders
// have a declared order from the leaves up, and an import may only point down that order (or stay
// in its own folder). It fails on an import that points up, on a folder without a declared place,
// and on any import cycle between files (static, `export … from`, type-only and dynamic imports
// alike: a cycle through a lazy import is still two modules that need each other).
// Imports are read with TypeScript's own pre-processor (a devDependency already), not a regex, so
// comments and strings that look like imports do not count.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * From the leaves up: a folder may import the folders before it. `.` is the files directly in src/
 * (bin.ts → main.ts → cli.ts: the entry points, on top).
 */
export const LAYERS = [
  'core', // errors, log, output, text, bounded, paths, prompt, values, suggest
  'data', // the YAML-with-schema loader (playbooks, inventories, check declarations)
  'model', // shared types: target specs, host entries, step status and counts
  'shell', // quoting
  'probe', // the host-script protocol
  'transport', // local and SSH
  'facts',
  'playbook',
  'inventory',
  'plan',
  'render', // the plan's host tasks as a script, cloud-init, SSM and Image Builder documents
  'bundle', // air-gap bundles: made on this machine, installed through a plan
  'fleet', // the runner every host command goes through
  'apply',
  'doctor',
  'rollout', // rolling runs' health gate (the doctor's checks) and restart notes
  'contexts', // docker contexts on this machine
  'commands',
  '.',
];

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The folder of src a file belongs to (`.` for src/*.ts). */
function layerOf(srcDir, file) {
  const parts = relative(srcDir, file).split(sep);
  return parts.length === 1 ? '.' : parts[0];
}

/** The relative imports of one file, resolved to the .ts files they name (NodeNext: `./x.js` is ./x.ts). */
function importsOf(file) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => resolve(dirname(file), spec).replace(/\.(m?)js$/, '.$1ts'));
}

/** Strongly connected components of more than one file (or a file importing itself): the cycles. */
function cyclesOf(graph) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const cycles = [];
  const visit = (v) => {
    const s = { index, low: index, onStack: true };
    index++;
    state.set(v, s);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      const t = state.get(w);
      if (!t) {
        visit(w);
        s.low = Math.min(s.low, state.get(w).low);
      } else if (t.onStack) s.low = Math.min(s.low, t.index);
    }
    if (s.low === s.index) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        state.get(w).onStack = false;
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || graph.get(v).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!state.has(v)) visit(v);
  return cycles;
}

/** Everything wrong with the tree under srcDir; paths relative to it. */
export function checkLayers(srcDir, layers = LAYERS) {
  const root = resolve(srcDir);
  const files = sourceFiles(root);
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const rank = new Map(layers.map((l, i) => [l, i]));
  const rel = (f) => relative(root, f).split(sep).join('/');
  const undeclared = new Set();
  const upward = [];
  for (const [file, imports] of graph) {
    const from = layerOf(root, file);
    if (!rank.has(from)) undeclared.add(from);
    for (const target of imports) {
      if (!graph.has(target)) continue; // not a source file of the tree (e.g. package.json)
      const to = layerOf(root, target);
      if (!rank.has(to) || to === from) continue;
      if (rank.get(to) > rank.get(from)) upward.push(`${rel(file)} -> ${rel(target)} (${from} is below ${to})`);
    }
  }
  return {
    files: files.length,
    cycles: cyclesOf(graph).map((c) => c.map(rel)),
    upward: upward.sort(),
    undeclared: [...undeclared].sort(),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const srcDir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const r = checkLayers(srcDir);
  const problems = [
    ...r.cycles.map((c) => `import cycle: ${c.join(' <-> ')}`),
    ...r.upward.map((u) => `upward import: ${u}`),
    ...r.undeclared.map((l) => `folder without a layer: src/${l} (add it to LAYERS in scripts/check-layers.mjs)`),
  ];
  for (const p of problems) process.stderr.write(`check-layers: ${p}\n`);
  process.stdout.write(`check-layers: ${r.files} files, ${r.cycles.length} cycles, ${r.upward.length} upward imports\n`);
  process.exitCode = problems.length ? 1 : 0;
}
