#!/usr/bin/env node
/**
 * The installed `dockhand` executable (bundled to dist/src/cli.js by scripts/bundle.mjs). `dockhand
 * --version` alone is answered here, before the command-line parser and its dependencies are loaded:
 * it is what scripts and version checks run most, and yargs' start-up (text-width tables, ICU
 * segmenter) is most of its cost. The local doctor's probe is started here too (doctor/early.ts), and
 * the plain local doctor runs without the parser (plain-doctor.ts). Everything else goes to main.ts,
 * which runs the command cli.ts parses.
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
  // the doctor's modules (src/doctor/early.ts), and it runs without the parser (plain-doctor.ts).
  const early = await import('./doctor/early.js');
  const plain = early.isPlainLocalDoctor(args);
  if (plain) await early.startExaminationEarly();
  if (!(plain && (await import('./plain-doctor.js')).runPlainDoctor(args))) await import('./main.js');
}
