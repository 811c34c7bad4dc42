// The shipped CLI is one bundled ES module (dist/src/cli.js, replacing tsc's file of that name) with
// the lazily imported parts as split chunks in dist/src/chunks/. Why: Node 20 has no compile cache
// (module.enableCompileCache is Node 22+), and resolving, reading and compiling ~100 separate modules
// was most of `--version`'s and the local doctor's start-up. tsc's other files in dist/src stay for
// the library entry points (doctor/api-main.js) and the tests that import them.
//
// ssh2 is bundled too (into the lazily loaded SSH chunk), without its optional native addons (the
// cpu-features probe and its crypto binding, both loaded in try/catch, with pure-JS/Node crypto
// fallbacks): so the package has no runtime dependencies and `npm install -g` runs no install
// scripts — no node-gyp build, no compiler needed, no "packages have install scripts" warnings.
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

/** ssh2's optional native addons: a module that throws, as `require` does when they were not built. */
const noNativeAddons = {
  name: 'no-native-addons',
  setup(b) {
    b.onResolve({ filter: /(\.node$|^cpu-features$)/ }, (args) => ({ path: args.path, namespace: 'no-native-addon' }));
    b.onLoad({ filter: /.*/, namespace: 'no-native-addon' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path}: native addons are not bundled`)});`,
    }));
  },
};

/**
 * ssh2's index evaluates its HTTP(S) agents (node:http, node:https, node:tls: some 12 ms of every SSH
 * run), its SSH server and key generator although dockhand uses only Client and utils.parseKey. The
 * same exports, with those three evaluated on first use (esbuild evaluates a bundled CommonJS module
 * at its first require). The build fails if ssh2's index no longer reads as expected.
 */
const lazySsh2Extras = {
  name: 'lazy-ssh2-extras',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]ssh2[\\/]lib[\\/]index\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      let src = await readFile(args.path, 'utf8');
      const edits = [
        [/const \{\s*SSHTTPAgent: HTTPAgent,\s*SSHTTPSAgent: HTTPSAgent,\s*\} = require\('\.\/http-agents\.js'\);/, ''],
        [/\n\s*HTTPAgent,\n\s*HTTPSAgent,/, ''],
        [/\n\s*Server: require\('\.\/server\.js'\),/, ''],
        [/\n\s*\.\.\.require\('\.\/keygen\.js'\),/, ''],
      ];
      for (const [re, to] of edits) {
        if (!re.test(src)) throw new Error(`lazy-ssh2-extras: ssh2's lib/index.js changed (${re}); update scripts/bundle.mjs`);
        src = src.replace(re, to);
      }
      src += `
const lazy = (o, name, load) => Object.defineProperty(o, name, { enumerable: true, configurable: true, get: load });
lazy(module.exports, 'HTTPAgent', () => require('./http-agents.js').SSHTTPAgent);
lazy(module.exports, 'HTTPSAgent', () => require('./http-agents.js').SSHTTPSAgent);
lazy(module.exports, 'Server', () => require('./server.js'));
lazy(module.exports.utils, 'generateKeyPair', () => require('./keygen.js').generateKeyPair);
lazy(module.exports.utils, 'generateKeyPairSync', () => require('./keygen.js').generateKeyPairSync);
`;
      return { contents: src, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * yargs renders the running command's whole help text before every command handler runs, only to
 * keep it for a later showHelp()/getHelp() — which dockhand never calls (its .fail() handler throws,
 * and --help is answered before any handler). Rendering it measures every line's width, which loads
 * the real string-width and wrap-ansi (dockhand's help text is not all ASCII): some 50-80 ms of CPU
 * on every command. Without the cache, a showHelp() would render the help when asked instead. The
 * build fails if yargs no longer has that line.
 */
const noHelpCacheBeforeHandler = {
  name: 'no-help-cache-before-handler',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]yargs[\\/]build[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const src = await readFile(args.path, 'utf8');
      const line = 'yargs.getInternalMethods().getUsageInstance().cacheHelpMessage();';
      if (src.split(line).length !== 2) throw new Error(`no-help-cache-before-handler: yargs' lib/command.js changed; update scripts/bundle.mjs`);
      return { contents: src.replace(line, '/* dockhand: no help rendering before the handler (scripts/bundle.mjs) */'), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const result = await build({
  plugins: [lazyStringWidth, noNativeAddons, lazySsh2Extras, noHelpCacheBeforeHandler],
  absWorkingDir: root,
  // bin.ts answers a bare --version itself and imports main.ts (a chunk) for everything else.
  // api-main: the doctor runs it as another user (gather.ts finds it next to its own chunk).
  entryPoints: [{ in: 'src/bin.ts', out: 'cli' }, { in: 'src/doctor/api-main.ts', out: 'chunks/api-main' }],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // Whitespace and syntax only: identifiers stay readable in an internal error's stack trace.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: true,
  metafile: true,
  // Bundled CommonJS packages (yaml, yargs' helpers) call require(); give the ES module one.
  banner: { js: "import{createRequire as __dockhandRequire}from'node:module';const require=__dockhandRequire(import.meta.url);" },
  // ssh2's poly1305 (Emscripten output) reads __dirname when it runs under Node: this file's (Node ≥ 20.11).
  define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
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
