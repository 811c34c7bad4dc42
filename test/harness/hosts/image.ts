/**
 * Cached root filesystems for the test hosts, one per Debian suite and variant. A cache entry's name
 * holds a hash of everything that shapes it (build script, suite, variant, mirror URL), so editing the
 * recipe rebuilds it; builds go to a temporary directory renamed into place only on success, so an
 * interrupted build is never reused.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Mirror } from './mirror.js';
import { isAlive, runOk, runSync, sleep } from './proc.js';

export type Suite = 'bullseye' | 'bookworm' | 'trixie';
export type ImageVariant = 'base' | 'docker';

const BUILD_SCRIPT = fileURLToPath(new URL('../build-image.sh', import.meta.url));

/** Where images and per-run host copies live; must be a real disk filesystem (ext4…), not overlayfs. */
export function stateRoot(): string {
  return process.env.DOCKHAND_TEST_CACHE ?? '/var/cache/dockhand-test';
}

const imagesDir = () => join(stateRoot(), 'images');

export interface Image {
  suite: Suite;
  variant: ImageVariant;
  path: string;
  /** seconds the build took, or undefined when it came from the cache */
  builtInSeconds?: number;
}

function imageKey(suite: Suite, variant: ImageVariant, mirror: Mirror): string {
  const h = createHash('sha256');
  h.update(readFileSync(BUILD_SCRIPT));
  h.update(`\0${suite}\0${variant}\0${mirror.url}`);
  return h.digest('hex').slice(0, 12);
}

/** Returns the cached image, building it (and the base image it derives from) when missing. */
export async function ensureImage(suite: Suite, variant: ImageVariant, mirror: Mirror): Promise<Image> {
  const name = `${suite}-${variant}-${imageKey(suite, variant, mirror)}`;
  const path = join(imagesDir(), name);
  if (existsSync(path)) return { suite, variant, path: markUsed(path) };

  const base = variant === 'docker' ? await ensureImage(suite, 'base', mirror) : undefined;
  mkdirSync(imagesDir(), { recursive: true });
  const release = await lock(name);
  try {
    if (existsSync(path)) return { suite, variant, path: markUsed(path) }; // built by another process meanwhile
    const tmp = join(imagesDir(), `.build-${name}-${process.pid}`);
    removeTree(tmp);
    const started = Date.now();
    try {
      await runOk('sh', [BUILD_SCRIPT, variant, suite, mirror.url, tmp, ...(base ? [base.path] : [])]);
    } catch (err) {
      removeTree(tmp);
      throw new Error(`building the ${suite} ${variant} test image failed: ${(err as Error).message}`);
    }
    renameSync(tmp, path);
    markUsed(path);
    pruneUnusedVersions(suite, variant, name);
    return { suite, variant, path, builtInSeconds: (Date.now() - started) / 1000 };
  } finally {
    release();
  }
}

/** A build directory left by a process that died (interrupted build), and superseded recipes. */
export function sweepStaleBuilds(): void {
  if (!existsSync(imagesDir())) return;
  for (const entry of readdirSync(imagesDir())) {
    const path = join(imagesDir(), entry);
    let owner: number | undefined;
    if (entry.startsWith('.build-')) owner = Number(entry.match(/-(\d+)$/)?.[1]) || undefined;
    else if (entry.startsWith('.lock-')) owner = readLockPid(path);
    else continue;
    if (owner === undefined || !isAlive(owner)) removeTree(path);
  }
}

/** Records when an image was last used, next to it (a file inside would end up in every host). */
function markUsed(path: string): string {
  writeFileSync(`${path}.used`, new Date().toISOString());
  return path;
}

const UNUSED_FOR_MS = 3 * 24 * 3600_000;

/**
 * Removes other versions of an image nobody used for days. Not right away: worktrees on other
 * branches share this cache and may still boot the version their recipe hashes to.
 */
function pruneUnusedVersions(suite: Suite, variant: ImageVariant, keep: string): void {
  for (const entry of readdirSync(imagesDir())) {
    if (!entry.startsWith(`${suite}-${variant}-`) || entry === keep || entry.endsWith('.used')) continue;
    const path = join(imagesDir(), entry);
    const lastUsed = existsSync(`${path}.used`) ? statSync(`${path}.used`).mtimeMs : statSync(path).mtimeMs;
    if (Date.now() - lastUsed > UNUSED_FOR_MS) {
      removeTree(path);
      rmSync(`${path}.used`, { force: true });
    }
  }
}

/** An exclusive lock between test processes on this machine (mkdir is atomic), broken when its owner died. */
async function lock(name: string): Promise<() => void> {
  const dir = join(imagesDir(), `.lock-${name}`);
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'pid'), String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readLockPid(dir);
      if (owner !== undefined && !isAlive(owner)) rmSync(dir, { recursive: true, force: true });
      else await sleep(1000);
    }
  }
}

function readLockPid(dir: string): number | undefined {
  try {
    return Number(readFileSync(join(dir, 'pid'), 'utf8')) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes a root filesystem tree. Mounts left inside (a /proc from an interrupted build) are detached
 * first, and rm never crosses into another filesystem, so nothing outside the tree can be deleted.
 */
export function removeTree(path: string): void {
  if (!existsSync(path)) return;
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && (m === path || m.startsWith(`${path}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) runSync('umount', ['-l', m]);
  runSync('rm', ['-rf', '--one-file-system', path]);
}
