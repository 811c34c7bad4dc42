// Parse and validate checks/*.yaml once, at build time, into dist/checks.json (see
// src/doctor/compiled-checks.ts): a doctor run then reads JSON instead of parsing YAML with zod.
// A declaration error fails the build with the same file:line message the CLI would print.
import { writeFileSync } from 'node:fs';
import { compileChecks, compiledChecksFile } from '../dist/src/doctor/compiled-checks.js';

writeFileSync(compiledChecksFile, JSON.stringify(await compileChecks()) + '\n');
