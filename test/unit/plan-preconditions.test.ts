/**
 * Plans that hold (issue 8, Found #8): what no step can provide is decided from the facts when the plan
 * is made, and the host fails there (PreconditionError, exit 2) with the reason and the fix.
 */
import { describe, expect, it } from 'vitest';
import { ExitCode, PreconditionError } from '../../src/core/errors.js';
import type { Facts } from '../../src/facts/types.js';
import { planForHost } from '../../src/plan/build.js';
import type { PlanOptions } from '../../src/plan/context.js';
import { versionSatisfies } from '../../src/plan/steps/packages.js';
import { factsFor, playbooks, type HostState } from '../fixtures/facts/build.js';

const plan = (name: string, state: HostState, patch: (f: Facts) => void = () => {}, opts: PlanOptions = {}) =>
  planForHost(factsFor(name, state, patch), playbooks, opts);
const failure = (fn: () => unknown): PreconditionError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PreconditionError);
    expect((err as PreconditionError).exitCode).toBe(ExitCode.hostFailed);
    return err as PreconditionError;
  }
  throw new Error('expected the plan to fail');
};
const noSudo = (f: Facts) => {
  f.privilege = { uid: 1001, isRoot: false, sudoInstalled: true, sudoNoPassword: false };
  f.user.name = 'plain';
};

describe('root: no root and no usable sudo', () => {
  it('fails the plan when sudo needs a password and no -K was given, naming the reason and the fix', () => {
    const err = failure(() => plan('debian-12', 'fresh', noSudo));
    expect(err.message).toMatch(/^debian-12: \d+ steps must run as root, but plain is not root and sudo asks for a password/);
    expect(err.hint).toMatch(/--ask-become-pass/);
  });

  it('fails when sudo is not installed, even with -K', () => {
    const err = failure(() => plan('debian-12', 'fresh', (f) => ((f.privilege.sudoNoPassword = false), (f.privilege.sudoInstalled = false)), { becomePassword: true }));
    expect(err.message).toMatch(/sudo is not installed/);
  });

  it('plans with -K (the password may work), with passwordless sudo, or as root', () => {
    expect(plan('debian-12', 'fresh', noSudo, { becomePassword: true }).steps.length).toBeGreaterThan(0);
    expect(plan('debian-12', 'fresh').steps.length).toBeGreaterThan(0);
    expect(plan('debian-12', 'fresh', (f) => ((f.privilege = { uid: 0, isRoot: true, sudoInstalled: false, sudoNoPassword: false }), (f.user.name = 'root'))).steps.length).toBeGreaterThan(0);
  });

  it('a converged host needs no root: its plan holds without sudo', () => {
    const p = plan('debian-12', 'converged', (f) => {
      noSudo(f);
      f.user.name = 'admin';
    });
    expect(p.steps.every((s) => s.commands.length === 0)).toBe(true);
  });
});

describe('users that do not exist', () => {
  it('fails before any step when a requested user has no account (facts.accounts)', () => {
    const err = failure(() =>
      plan('debian-12', 'fresh', (f) => (f.accounts = { root: true, nosuchuser: false }), { users: ['root', 'nosuchuser'] }),
    );
    expect(err.message).toBe('debian-12: user nosuchuser does not exist on the host');
    expect(err.hint).toMatch(/useradd/);
  });

  it('existing users, or facts that could not tell, plan as before', () => {
    expect(plan('debian-12', 'fresh', (f) => (f.accounts = { deploy: true }), { users: ['deploy'] }).steps.length).toBeGreaterThan(0);
    expect(plan('debian-12', 'fresh', (f) => (f.accounts = undefined), { users: ['deploy'] }).steps.length).toBeGreaterThan(0);
  });
});

describe('a version the repository cannot offer', () => {
  it('an exact apt version built for another release fails on this one', () => {
    const err = failure(() => plan('debian-13', 'fresh', undefined, { source: 'docker', dockerVersion: '5:28.1.1-1~debian.12~bookworm' }));
    expect(err.message).toMatch(/5:28\.1\.1-1~debian\.12~bookworm is built for bookworm; this host's repository \(linux\/debian trixie, apt\) cannot offer it/);
    expect(err.hint).toMatch(/e\.g\. 28\.1\.1/);
  });

  it('an rpm build on an apt host, and an el9 build on el10, fail', () => {
    failure(() => plan('debian-12', 'fresh', undefined, { source: 'docker', dockerVersion: '3:28.1.1-1.el9' }));
    failure(() => plan('rhel-10', 'fresh', undefined, { source: 'docker', dockerVersion: '3:28.1.1-1.el9' }));
  });

  it('the exact version of the host\'s own release is accepted and pinned as given', () => {
    const p = plan('debian-12', 'fresh', undefined, { source: 'docker', dockerVersion: '5:28.1.1-1~debian.12~bookworm' });
    const script = p.steps.find((s) => s.id === 'packages')!.commands.map((c) => c.script).join('\n');
    expect(script).toContain("want='5:28.1.1-1~debian.12~bookworm'");
    expect(script).toContain('v == want');
    expect(plan('rhel-9', 'fresh', undefined, { source: 'docker', dockerVersion: '3:28.1.1-1.el9' }).steps.length).toBeGreaterThan(0);
  });

  it('an exact version matches only itself when comparing with what is installed', () => {
    expect(versionSatisfies('5:28.1.1-1~debian.12~bookworm', '5:28.1.1-1~debian.12~bookworm')).toBe(true);
    expect(versionSatisfies('5:28.1.2-1~debian.12~bookworm', '5:28.1.1-1~debian.12~bookworm')).toBe(false);
    expect(versionSatisfies('5:28.1.1-1~debian.12~bookworm', '28.1.1-1~debian.12~bookworm')).toBe(true);
  });
});
