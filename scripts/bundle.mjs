// The shipped CLI is one bundled ES module (dist/src/cli.js, replacing tsc's file of that name) with
// the lazily imported parts as split chunks in dist/src/chunks/. Why: Node 20 has no compile cache
// (module.enableCompileCache is Node 22+), and resolving, reading and compiling ~100 separate modules
// was most of `--version`'s and the local doctor's start-up. tsc's other files in dist/src stay for
// the library entry points (doctor/api-main.js) and the tests that import them.
//
// ssh2 stays external: it loads native addons (optional cpu-features, its crypto binding) relative to
// its own files, and it is only loaded on SSH paths anyway.
//
// dist/src/bundle-meta.json records which npm packages each output file contains, so a test can tell
// which packages a run loaded (test/integration/startup-imports.test.ts).
import { build } from 'esbuild';
import { rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist/src`;

// Chunk names carry content hashes: drop the last build's, or they pile up (and get packed).
rmSync(`${outdir}/chunks`, { recursive: true, force: true });

/**
 * string-width sets up an ICU segmenter and parses Unicode-property regexes (RGI_Emoji) when its
 * module is evaluated: some 20 ms of every start, although yargs measures text only for --help and
 * errors, and ora only while drawing. Each importer gets a stand-in that answers printable ASCII
 * (all of dockhand's help text) itself, exactly as string-width would (width = length), and
 * evaluates the real module, the importer's own version, only on first other input.
 */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real) return undefined; // the stand-in's own import: the real package
      const real = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { real: true } });
      if (real.errors.length) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      resolveDir: dirname(args.path),
      pluginData: { real: true },
      contents: `let real;
export default function stringWidth(text, options) {
  if (typeof text === 'string' && /^[\x20-\x7e]*$/.test(text)) return text.length;
  real ??= require(${JSON.stringify(args.path)}).default;
  return real(text, options);
}`,
    }));
  },
};

const result = await build({
  plugins: [lazyStringWidth],
  absWorkingDir: root,
  // bin.ts answers a bare --version itself and imports cli.ts (a chunk) for everything else.
  entryPoints: [{ in: 'src/bin.ts', out: 'cli' }],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['ssh2'],
  // Whitespace and syntax only: identifiers stay readable in an internal error's stack trace.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  metafile: true,
  // Bundled CommonJS packages (yaml, yargs' helpers) call require(); give the ES module one.
  banner: { js: "import{createRequire as __dockhandRequire}from'node:module';const require=__dockhandRequire(import.meta.url);" },
  logLevel: 'warning',
});

// The innermost node_modules/<name> is the package (cliui/node_modules/string-width is string-width).
const packageOf = (input) => [...input.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].at(-1)?.[1];
const builtin = new Set(builtinModules);
const files = {};
for (const [file, out] of Object.entries(result.metafile.outputs)) {
  if (!file.endsWith('.js')) continue;
  const packages = new Set(Object.keys(out.inputs).map(packageOf).filter(Boolean));
  for (const imp of out.imports) if (imp.external && !imp.path.startsWith('node:') && !builtin.has(imp.path)) packages.add(imp.path.split('/')[0]);
  files[file.replace(/^dist\/src\//, '')] = { bytes: out.bytes, packages: [...packages].sort() };
}
writeFileSync(`${outdir}/bundle-meta.json`, `${JSON.stringify({ files }, null, 1)}\n`);
