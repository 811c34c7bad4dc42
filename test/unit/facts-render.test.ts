import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderFactsSummary } from '../../src/facts/render.js';
import { parseProbeOutput } from '../../src/facts/parse.js';

const facts = (name: string) =>
  parseProbeOutput(name, readFileSync(new URL(`../fixtures/probe/${name}.probe`, import.meta.url), 'utf8'));

describe('renderFactsSummary', () => {
  it('shows what a reader needs to judge an Ubuntu cloud host', () => {
    const text = renderFactsSummary(facts('ubuntu-24.04-cloud-user'));
    const lines = text.split('\n');
    expect(lines[0]).toBe('ubuntu-24.04-cloud-user');
    expect(text).toContain('Ubuntu 24.04.3 LTS (id ubuntu 24.04, codename noble, like debian)');
    expect(text).toContain('aarch64 (arm64)');
    expect(text).toContain('uid 1000, sudo installed, passwordless: yes');
    expect(text).toMatch(/database\s+ubuntu adm cdrom sudo dip lxd docker\s+\(new login needed for: docker\)/);
    expect(text).toContain('docker-ce 5:28.3.2-1~ubuntu.24.04~noble');
    expect(text).toContain('docker.service: loaded, active/running, enabled, pid 2211');
    expect(text).toContain('/var/run/docker.sock socket root:docker 0660');
    expect(text).toContain('/srv/docker on xfs, d_type no');
    expect(text).toContain('status running');
    expect(text).toContain('/var/lib/dpkg/lock-frontend held by apt-get (pid 3120)');
    expect(text).toContain('legacy keys: /etc/apt/trusted.gpg.d/docker.gpg');
    expect(text).not.toContain('Services');
  });

  it('says unknown rather than guessing, and reports non-systemd service state', () => {
    const text = renderFactsSummary(facts('alpine-3.22-openrc-root'));
    expect(text).toContain('Privilege     root');
    expect(text).toContain('docker running, containerd not running');
    expect(text).toContain('/etc/docker/daemon.json unreadable');
    expect(text).toContain('free 90% (inodes ?)');
    expect(text).not.toContain('apt sources');
  });

  it('renders an empty Facts object without throwing', () => {
    expect(renderFactsSummary(parseProbeOutput('empty', ''))).toContain('Package mgr   unknown');
  });
});
