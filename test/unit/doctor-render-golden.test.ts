/**
 * Golden doctor reports: the grouped default (one line per group of passing checks, failures and
 * warnings in full), `--verbose` (every check), each with and without colour, for a healthy host and
 * a host with a stale session. `UPDATE_GOLDEN=1` rewrites them — review the diff.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkGolden } from '../harness/golden.js';
import { colourPaint } from '../../src/core/output-colour.js';
import { loadDeclarations } from '../../src/doctor/declarations.js';
import { runChecks, type Finding } from '../../src/doctor/engine.js';
import type { DoctorEvidence } from '../../src/doctor/evidence.js';
import { checkFns } from '../../src/doctor/checks/index.js';
import { renderFleet, renderHost } from '../../src/doctor/render.js';

const healthy: DoctorEvidence = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/doctor/healthy.json', import.meta.url)), 'utf8'));
const SGR = /\u001b\[\d+m/g;

describe('doctor report', () => {
  let ok: Finding[];
  let stale: Finding[];
  beforeAll(async () => {
    const decls = await loadDeclarations(fileURLToPath(new URL('../../checks', import.meta.url)));
    ok = runChecks(decls, checkFns, healthy);
    const ev = structuredClone(healthy);
    ev.client.user.sessionGroups = ['alice', 'sudo'];
    ev.api = [{ endpoint: 'unix:///var/run/docker.sock', ok: false, error: { kind: 'EACCES', message: 'permission denied' } }];
    stale = runChecks(decls, checkFns, ev);
  });

  it('groups passing checks into one line per group; failures in full', () => {
    const text = renderHost({ host: 'web1', user: 'alice', findings: stale });
    expect(text).toMatch(/^Daemon +✓ \d+ checks$/m);
    expect(text).toContain('✗ alice was added to docker, but this session started before that  [user.session]');
    expect(text).toContain('      fix: ');
    // No passing check of its own line by default (only informational findings, e.g. the endpoint in use).
    const passLines = text.split('\n').filter((l) => l.startsWith('  ✓'));
    const info = stale.filter((f) => f.status === 'pass' && f.severity === 'info');
    expect(passLines).toHaveLength(info.length);
    const verbose = renderHost({ host: 'web1', user: 'alice', findings: stale }, { verbose: true });
    expect(verbose.split('\n').filter((l) => /^ {2}[✓✗!-] /.test(l))).toHaveLength(stale.length);
    checkGolden('doctor/stale-session.txt', text);
    checkGolden('doctor/stale-session.verbose.txt', verbose);
    checkGolden('doctor/healthy.txt', renderHost({ host: 'web1', user: 'alice', findings: ok }));
  });

  it('with colour: the same text plus colour on dockhand\'s own marks and words only', () => {
    for (const [name, findings] of [['stale-session', stale], ['healthy', ok]] as const) {
      const plain = renderHost({ host: 'web1', user: 'alice', findings });
      const coloured = renderHost({ host: 'web1', user: 'alice', findings }, { paint: colourPaint });
      expect(coloured).not.toBe(plain);
      expect(coloured.replace(SGR, '')).toBe(plain);
      checkGolden(`doctor/${name}.color.txt`, coloured);
    }
    const coloured = renderHost({ host: 'web1', user: 'alice', findings: stale }, { paint: colourPaint });
    expect(coloured).toContain('  \u001b[31m✗\u001b[39m alice was added to docker');
    expect(coloured).toMatch(/\u001b\[1mDaemon\u001b\[22m +\u001b\[32m✓ \d+ checks\u001b\[39m/);
  });

  it('host text never chooses a colour, nor carries one', () => {
    const forged = stale.map((f) => (f.status === 'fail' ? { ...f, summary: `\u001b[32m✓ fine\u001b[0m ${f.summary}`, evidence: ['\u001b[31mred'] } : f));
    const coloured = renderHost({ host: 'web\u001b[1m1', findings: forged }, { paint: colourPaint });
    expect(coloured).not.toContain('\u001b[32m✓ fine');
    expect(coloured).not.toContain('\u001b[31mred');
    expect(coloured).not.toContain('\u001b[0m');
    expect(coloured).toContain('web1');
  });

  it('fleet table: the STATE column coloured by the worst finding', () => {
    const reports = [{ host: 'a-ok', findings: ok }, { host: 'b-stale', findings: stale }, { host: 'c-down', findings: [], error: 'connection refused' }];
    const plain = renderFleet(reports);
    const coloured = renderFleet(reports, colourPaint);
    expect(coloured.replace(SGR, '')).toBe(plain);
    expect(coloured).toMatch(/b-stale +\u001b\[31m1 problem/);
    expect(coloured).toMatch(/a-ok +\u001b\[32mok/);
    checkGolden('doctor/fleet.txt', plain);
    checkGolden('doctor/fleet.color.txt', coloured);
  });
});
