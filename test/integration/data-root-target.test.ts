/**
 * The --move-data-root measurement script run for real by /bin/sh on this machine, on temporary
 * directories (it only reads): du of the old tree, the target's state (absent, empty, not empty,
 * dockhand's interrupted copy), its filesystem and free space, GNU cp.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataRootTargetScript, MOVE_MARKER, parseDataRootTarget } from '../../src/facts/data-root-target.js';
import { containerPathsRewrite } from '../../src/plan/daemon-data-root.js';

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

describe('the container path rewrite of a data-root move, run by GNU sed', () => {
  it('rewrites the keyed paths into the old root, and nothing else', () => {
    const file = join(base, 'config.v2.json');
    const old = '/var/lib/docker';
    // As Engine 20.10 writes it (abridged): a named volume's mount point, the container's own files, and values that only look like paths.
    const before =
      `{"ID":"abc","Config":{"Env":["CACHE=${old}/cache"],"Labels":{"x":"${old}/volumes/y"}},"MountPoints":{"/data":{"Source":"${old}/volumes/keepvol/_data","Destination":"/data","Name":"keepvol","Driver":"local","Type":"volume","Spec":{"Type":"volume","Source":"keepvol","Target":"/data"}}},` +
      `"ResolvConfPath":"${old}/containers/abc/resolv.conf","HostnamePath":"${old}/containers/abc/hostname","HostsPath":"${old}/containers/abc/hosts","LogPath":"${old}/containers/abc/abc-json.log","Other":"${old}-not-inside/x"}`;
    writeFileSync(file, before);
    for (const to of ['/srv/docker', '/srv/a|b&c']) {
      writeFileSync(file, before);
      execFileSync('sh', ['-c', containerPathsRewrite(old, to, JSON.stringify(file))]);
      const after = JSON.parse(readFileSync(file, 'utf8'));
      expect(after.MountPoints['/data'].Source).toBe(`${to}/volumes/keepvol/_data`);
      expect(after.MountPoints['/data'].Spec.Source).toBe('keepvol');
      expect([after.ResolvConfPath, after.HostnamePath, after.HostsPath, after.LogPath]).toEqual(['resolv.conf', 'hostname', 'hosts', 'abc-json.log'].map((n) => `${to}/containers/abc/${n}`));
      expect(after.Config).toEqual({ Env: [`CACHE=${old}/cache`], Labels: { x: `${old}/volumes/y` } });
      expect(after.Other).toBe(`${old}-not-inside/x`);
    }
  });
});
