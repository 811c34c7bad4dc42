/**
 * Runs what cli.ts defines, as a process (run-as-process.ts: the one top-level error handler and the
 * exit code). Loaded by bin.ts for everything but a bare --version and the plain local doctor.
 */
import { hideBin } from 'yargs/helpers';
import { runCli } from './cli.js';
import { runAsProcess } from './run-as-process.js';

runAsProcess(() => runCli(hideBin(process.argv)));
