// The local doctor's examination command, composed once at build time into
// dist/early-examination.json (see src/doctor/early.ts): bin.ts starts it from there, before the
// modules that compose it have loaded. Running as root or not, without sudo it is the same command;
// the build fails if that stops being so, rather than write a file the doctor would never adopt.
import { writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { earlyExaminationFile, examinationArgv } from '../dist/src/doctor/early.js';

const [asUser, asRoot] = await Promise.all([examinationArgv(false), examinationArgv(true)]);
if (!isDeepStrictEqual(asUser, asRoot)) throw new Error('compile-early: the examination differs for root and other users; write one file per case');
writeFileSync(earlyExaminationFile, JSON.stringify({ argv: asUser }) + '\n');
