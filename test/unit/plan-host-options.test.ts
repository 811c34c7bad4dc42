/** Inventory variables → plan options for one host; command-line flags override them. */
import { describe, expect, it } from 'vitest';
import { osLabel, planOptionsFor } from '../../src/plan/host-options.js';
import { factsFor } from '../fixtures/facts/build.js';

describe('planOptionsFor', () => {
  const vars = {
    source: 'distro' as const,
    docker_version: '27.5',
    mirror: 'https://mirror.example/docker',
    channel: 'test' as const,
    key_fingerprint: 'ABCD',
    users: ['deploy', 'ci'],
    os: 'debian',
    codename: 'bookworm',
    rootless: true,
  };

  it('every inventory variable reaches its plan option', () => {
    expect(planOptionsFor(vars, {})).toEqual({
      source: 'distro',
      dockerVersion: '27.5',
      mirror: 'https://mirror.example/docker',
      channel: 'test',
      keyFingerprint: 'ABCD',
      users: ['deploy', 'ci'],
      os: 'debian',
      codename: 'bookworm',
      rootless: true,
      allowStorageSwitch: undefined,
    });
  });

  it('a flag replaces the variable whole (lists are not merged); unset flags leave it', () => {
    const options = planOptionsFor(vars, { source: 'docker', users: ['alice'], codename: 'trixie' });
    expect(options).toMatchObject({ source: 'docker', users: ['alice'], codename: 'trixie', os: 'debian', channel: 'test' });
  });

  it('--rootless (or its absence) and inventory rootless: true', () => {
    expect(planOptionsFor({ ...vars, rootless: undefined }, { rootless: true }).rootless).toBe(true);
    expect(planOptionsFor(vars, {}).rootless).toBe(true);
    expect(planOptionsFor(vars, { rootless: false }).rootless).toBe(false);
  });
});

describe('osLabel', () => {
  it('the detected OS, and what it is treated as when overridden', () => {
    const facts = factsFor('debian-12', 'fresh');
    expect(osLabel(facts)).toBe('debian 12');
    expect(osLabel(facts, { os: 'ubuntu', codename: 'noble' })).toBe('debian 12 (as ubuntu noble)');
  });
});
