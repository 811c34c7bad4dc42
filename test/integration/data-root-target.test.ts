/**
 * The --move-data-root measurement script run for real by /bin/sh on this machine, on temporary
 * directories (it only reads): du of the old tree, the target's state (absent, empty, not empty,
 * dockhand's interrupted copy), its filesystem and free space, GNU cp.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataRootTargetScript, MOVE_MARKER, parseDataRootTarget } from '../../src/facts/data-root-target.js';

const base = mkdtempSync(join(tmpdir(), 'dockhand-move-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

const measure = (from: string, to: string) => parseDataRootTarget(execFileSync('sh', ['-c', dataRootTargetScript(from, to)], { encoding: 'utf8' }));

describe('dataRootTargetScript on this machine', () => {
  const old = join(base, 'old');
  mkdirSync(join(old, 'overlay2'), { recursive: true });
  writeFileSync(join(old, 'overlay2', 'layer'), Buffer.alloc(300 * 1024, 1));

  it('measures the old tree and an absent target on the nearest existing directory', () => {
    const t = measure(old, join(base, 'new', 'docker'));
    expect(t.measuredBy).toBe('du');
    expect(t.usedKiB).toBeGreaterThanOrEqual(300);
    expect(t.target).toMatchObject({ exists: false, isDir: false, marker: false, probeDir: base, sameFilesystem: true });
    expect(t.target.fsType).toMatch(/^[a-z0-9._-]+$/);
    expect(t.target.availKiB).toBeGreaterThan(0);
    expect(t.gnuCp).toBe(true);
  });

  it('counts the entries of an existing target, the marker aside', () => {
    const empty = join(base, 'empty');
    mkdirSync(empty);
    expect(measure(old, empty).target).toMatchObject({ exists: true, isDir: true, entries: 0, marker: false, probeDir: empty });
    writeFileSync(join(empty, MOVE_MARKER), '');
    writeFileSync(join(empty, 'partial'), 'x');
    expect(measure(old, empty).target).toMatchObject({ entries: 1, marker: true });
    const file = join(base, 'file');
    writeFileSync(file, 'x');
    expect(measure(old, file).target).toMatchObject({ exists: true, isDir: false });
  });
});
