#!/usr/bin/env node
/**
 * The installed `dockhand` executable (bundled to dist/src/cli.js by scripts/bundle.mjs). `dockhand
 * --version` alone is answered here, before the command-line parser and its dependencies are loaded:
 * it is what scripts and version checks run most, and yargs' start-up (text-width tables, ICU
 * segmenter) is most of its cost. The local doctor's probe is started here too (doctor/early.ts).
 * Everything else goes to main.ts, which runs the command cli.ts parses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './core/paths.js';

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  // The same line yargs' .version() prints (cli.ts reads the version from the same file).
  process.stdout.write(`${JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version}\n`);
} else {
  // The local doctor (also the default command): its examination starts now, beside the loading of
  // the parser and the doctor's modules (src/doctor/early.ts).
  const early = await import('./doctor/early.js');
  if (early.isPlainLocalDoctor(args)) await early.startExaminationEarly();
  await import('./main.js');
}
