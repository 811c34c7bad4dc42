/**
 * The edit of /etc/containerd/config.toml that moves containerd's root with the data root: the
 * top-level `root` set, everything else kept byte for byte; refused where the file cannot be read
 * with certainty. Fixtures: Debian 13's containerd package file, docker-ce's containerd.io file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { setContainerdRoot } from '../../src/plan/daemon-containerd.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/containerd/${name}`, import.meta.url), 'utf8');
const NEW = '/srv/docker/containerd';

describe('setContainerdRoot', () => {
  it("adds root before Debian 13's first table, keeping every other line, and notes paths into the old root", () => {
    const text = fixture('debian-13.config.toml');
    const r = setContainerdRoot(text, NEW);
    expect(r).toMatchObject({ ok: true, changed: true, from: '/var/lib/containerd' });
    if (!r.ok) return;
    expect(r.content.split('\n').filter((l) => l !== `root = "${NEW}"` && l !== '')).toEqual(text.split('\n').filter((l) => l !== ''));
    expect(r.content.indexOf(`root = "${NEW}"`)).toBeLessThan(r.content.indexOf('[plugins]'));
    expect(r.content.indexOf('version = 2')).toBeLessThan(r.content.indexOf(`root = "${NEW}"`));
    // [plugins."io.containerd.internal.v1.opt"] path = "/var/lib/containerd/opt"
    expect(r.mentionsOldRoot).toHaveLength(1);
    // Idempotent: the edited file is converged.
    expect(setContainerdRoot(r.content, NEW)).toMatchObject({ ok: true, changed: false, from: NEW });
  });

  it("appends root to docker-ce's all-commented file (a commented root is not a setting)", () => {
    const text = fixture('docker-ce-default.config.toml');
    const r = setContainerdRoot(text, NEW);
    expect(r).toMatchObject({ ok: true, changed: true, from: '/var/lib/containerd' });
    if (r.ok) expect(r.content).toBe(`${text.replace(/\n$/, '')}\nroot = "${NEW}"\n`);
  });

  it('replaces a top-level root in place', () => {
    const r = setContainerdRoot('version = 2\nroot = "/data/containerd" # big disk\nstate = "/run/containerd"\n\n[grpc]\n  address = "/run/containerd/containerd.sock"\n', NEW);
    expect(r).toEqual({ ok: true, changed: true, from: '/data/containerd', mentionsOldRoot: [], content: `version = 2\nroot = "${NEW}"\nstate = "/run/containerd"\n\n[grpc]\n  address = "/run/containerd/containerd.sock"\n` });
  });

  it('writes a file of its own when there is none', () => {
    expect(setContainerdRoot(undefined, NEW)).toMatchObject({ ok: true, changed: true, content: expect.stringContaining(`\nroot = "${NEW}"\n`) });
  });

  it.each([
    ['[plugins."x"]\n  root = "/elsewhere"\n', 'root inside the table [plugins."x"]', 2],
    ['version = 2\nimports = [\n  "/etc/containerd/conf.d/*.toml",\n]\n', 'continued over lines', 2],
    ['description = """\nmulti\n"""\n', 'multi-line string', 1],
    ['root = 42\n', 'not a plain string', 1],
    ['root = "/a"\nroot = "/b"\n', 'root set twice', 2],
    ['[plugins\n', 'table header', 1],
    ['this is not toml\n', 'not key = value', 1],
  ])('refuses %j', (text, problem, line) => {
    const r = setContainerdRoot(text, NEW);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem).toContain(problem);
      expect(r.line).toBe(line);
    }
  });
});
