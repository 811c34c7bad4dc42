// Parse and validate playbooks/*.yaml once, at build time, into dist/playbooks.json (see
// src/playbook/compiled.ts): a converged run then reads JSON instead of parsing YAML with zod.
// A playbook error fails the build with the same file:line message the CLI would print.
import { writeFileSync } from 'node:fs';
import { loadPlaybooks } from '../dist/src/playbook/load.js';
import { compiledPlaybooksFile, playbookDigests } from '../dist/src/playbook/compiled.js';

const digests = playbookDigests();
writeFileSync(compiledPlaybooksFile, JSON.stringify({ digests, playbooks: loadPlaybooks() }) + '\n');
