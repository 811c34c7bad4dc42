/**
 * Fixture tests for every declared check (test/fixtures/doctor/cases.yaml), the declarations'
 * schema, and the promise that every declared probe exists and every probe is declared.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { loadDeclarations, parseDeclarations } from '../../src/doctor/declarations.js';
import { runChecks, summarize } from '../../src/doctor/engine.js';
import { checkFns } from '../../src/doctor/checks/index.js';
import type { DoctorEvidence } from '../../src/doctor/evidence.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/doctor/${name}`, import.meta.url));
const checksDir = fileURLToPath(new URL('../../checks', import.meta.url));
const healthy: DoctorEvidence = JSON.parse(readFileSync(fixture('healthy.json'), 'utf8'));

interface Case {
  check: string;
  name: string;
  expect: 'pass' | 'warn' | 'fail' | 'skip';
  patch: Record<string, unknown>;
  text?: string;
  fix?: string;
}
const cases: Case[] = parse(readFileSync(fixture('cases.yaml'), 'utf8'), { merge: true });

/** Objects merge, arrays, scalars and empty objects replace, null deletes. */
function merge(base: unknown, patch: unknown): unknown {
  if (patch === null) return undefined;
  if (typeof patch === 'object' && !Array.isArray(patch) && Object.keys(patch).length === 0) return patch;
  if (typeof patch !== 'object' || Array.isArray(patch) || typeof base !== 'object' || base === null || Array.isArray(base)) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    const merged = merge(out[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

const decls = await loadDeclarations(checksDir);

describe('declarations', () => {
  it('every declared probe exists and every probe is declared', () => {
    const declared = new Set(decls.map((d) => d.logic));
    expect([...declared].filter((p) => !checkFns[p])).toEqual([]);
    expect(Object.keys(checkFns).filter((p) => !declared.has(p))).toEqual([]);
  });

  it('never suggests chmod 666 or an unencrypted TCP socket', () => {
    // Explanations may name the bad "fix" to warn about it; commands and notes never suggest it.
    for (const d of decls) {
      for (const f of [d.fix, ...Object.values(d.fixes)]) {
        for (const c of f?.commands ?? []) expect(typeof c === 'string' ? c : c.names.join(' ')).not.toMatch(/chmod|tcp:\/\/|0\.0\.0\.0/);
        expect(f?.note ?? '').not.toMatch(/chmod\s+(0?666|a\+rw|o\+rw)/);
      }
    }
  });

  it('the TCP listener and storage fixes are never automatic', () => {
    const tcp = decls.find((d) => d.id === 'security.tcp-without-tls')!;
    expect(tcp.fix?.class).toBe('never-auto');
    expect(decls.find((d) => d.id === 'user.in-group')!.fix?.class).toBe('confirm-root-equivalent');
  });

  it('has a pass case and a failing case for every declared check', () => {
    for (const d of decls) {
      const mine = cases.filter((c) => c.check === d.id);
      // The healthy fixture is the pass case for every check; a failing one must be written.
      expect(mine.some((c) => c.expect === 'fail' || c.expect === 'warn'), `${d.id} has no failing fixture`).toBe(true);
    }
    expect(cases.every((c) => decls.some((d) => d.id === c.check))).toBe(true);
  });

  it('reports bad YAML with file:line:field', async () => {
    const bad = 'checks:\n  - id: daemon.running\n    title: x\n    severity: fatal\n    logic: daemonRunning\n    explanation: y\n';
    await expect(parseDeclarations(bad, 'checks/bad.yaml')).rejects.toThrow(/^checks\/bad\.yaml:4:.*checks\[0\]\.severity/);
    await expect(parseDeclarations('checks:\n  - id: Not_Kebab\n    title: x\n    severity: error\n    logic: p\n    explanation: y\n', 'f.yaml')).rejects.toThrow(/^f\.yaml:2:.*checks\[0\]\.id: must be a dotted kebab-case id/);
    await expect(parseDeclarations('checks:\n  - id: a.b\n    title: [unclosed\n', 'g.yaml')).rejects.toThrow(/^g\.yaml:\d+/);
    await expect(parseDeclarations('checks:\n  - id: a.b\n    title: t\n    severity: error\n    logic: p\n', 'h.yaml')).rejects.toThrow(/^h\.yaml:2:.*explanation/);
  });
});

describe('the healthy fixture', () => {
  it('passes every check (no warnings, no skips from failures)', () => {
    const findings = runChecks(decls, checkFns, healthy);
    const notOk = findings.filter((f) => f.status !== 'pass' && f.status !== 'skip');
    expect(notOk.map((f) => `${f.id}: ${f.summary}`)).toEqual([]);
    expect(summarize(findings).problems).toBe(0);
  });
});

describe.each(cases.map((c) => [`${c.check}: ${c.name}`, c] as const))('%s', (_label, c) => {
  it(`is ${c.expect}`, () => {
    const evidence = (Object.keys(c.patch ?? {}).length ? merge(healthy, c.patch) : healthy) as DoctorEvidence;
    const findings = runChecks(decls, checkFns, evidence);
    const f = findings.find((x) => x.id === c.check)!;
    expect(f, `no finding ${c.check}`).toBeDefined();
    expect(f.status, `${f.summary}\n${f.evidence.join('\n')}`).toBe(c.expect);
    if (c.text) expect([f.summary, ...f.evidence].join('\n')).toContain(c.text);
    if (c.fix) expect(f.fix?.commands.join('\n') ?? '').toContain(c.fix);
  });
});
