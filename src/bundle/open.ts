/**
 * Reading a bundle on the controller before `up --bundle` connects anywhere: unpack it into a
 * throwaway directory (tar refuses members outside it), check every file against SHA256SUMS and the
 * manifest. A bundle that fails is refused with exit 65, before any host is touched.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '../core/errors.js';
import { checksumProblem, MANIFEST, parseManifest, parseSums, sha256, SUMS, type BundleManifest } from './manifest.js';

const run = promisify(execFile);

export interface OpenedBundle {
  path: string;
  manifest: BundleManifest;
  /** sha256 of the whole file: what the host checks its uploaded copy against. */
  sha256: string;
  bytes: number;
}

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) return filesUnder(dir, rel);
    return [rel];
  });
}

export async function openBundle(path: string): Promise<OpenedBundle> {
  if (!existsSync(path) || !statSync(path).isFile()) throw new InputError(path, 'no such bundle file');
  const dir = mkdtempSync(join(tmpdir(), 'dockhand-bundle-check-'));
  try {
    try {
      // No owners, no permissions from the archive: only the bytes matter here.
      await run('tar', ['-xf', path, '-C', dir, '--no-same-owner', '--no-same-permissions'], { maxBuffer: 1024 * 1024 });
    } catch (err) {
      throw new InputError(path, `not a readable bundle (tar: ${String((err as { stderr?: string }).stderr ?? err).trim().split('\n', 1)[0]})`);
    }
    if (!existsSync(join(dir, MANIFEST)) || !existsSync(join(dir, SUMS))) throw new InputError(path, `not a dockhand bundle (no ${MANIFEST} or ${SUMS})`);
    let manifest: BundleManifest;
    let sums: Map<string, string>;
    try {
      manifest = parseManifest(readFileSync(join(dir, MANIFEST), 'utf8'), MANIFEST);
      sums = parseSums(readFileSync(join(dir, SUMS), 'utf8'), SUMS);
    } catch (err) {
      throw new InputError(path, (err as Error).message);
    }
    const actual = new Map(filesUnder(dir).filter((f) => f !== SUMS).map((f) => [f, sha256(readFileSync(join(dir, f)))]));
    const problem = checksumProblem(manifest, sums, actual);
    if (problem) throw new InputError(path, `bundle refused: ${problem}`);
    const whole = readFileSync(path);
    return { path, manifest, sha256: sha256(whole), bytes: whole.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
