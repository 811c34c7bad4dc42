/**
 * Every writer goes through the output layer: JSON events, plain progress, the summary table, the
 * facts summary, the doctor's report and the logger mask secrets (any length) and print host text
 * without control characters, and a host value cannot start a line of its own.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { renderFactsSummary } from '../../src/facts/render.js';
import { ExitCode } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/log.js';
import { addSecret, clearSecrets } from '../../src/core/output.js';
import type { Finding } from '../../src/doctor/engine.js';
import { renderFleet, renderHost } from '../../src/doctor/render.js';
import { parseProbeOutput } from '../../src/facts/parse.js';
import { JsonExporter } from '../../src/fleet/export/json.js';
import { TableExporter } from '../../src/fleet/export/table.js';
import { JsonProgress } from '../../src/fleet/progress/json.js';
import { PlainProgress } from '../../src/fleet/progress/plain.js';
import { renderSummary } from '../../src/fleet/summary.js';
import type { FleetReport } from '../../src/fleet/types.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const HOSTILE = 'Debian \u001b]52;c;SGVsbG8=\u0007\u001b[2Jclobbered\u202e';

class Capture extends Writable {
  text = '';
  columns = 120;
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

const report = (error: string, os = HOSTILE): FleetReport => ({
  hosts: [
    { host: 'web-1', outcome: 'failed', os, error, steps: { ok: 1, changed: 0, failed: 1, skipped: 0 }, durationMs: 1000, data: { said: error } },
    { host: 'web-2', outcome: 'ok', os: 'debian 12', steps: { ok: 2, changed: 0, failed: 0, skipped: 0 }, durationMs: 1000 },
  ],
  exitCode: ExitCode.hostFailed,
  durationMs: 2000,
});

afterEach(() => clearSecrets());

describe('JSON events', () => {
  it('mask a long and a 1-character secret in step details, errors, data and the summary', () => {
    addSecret('s3cret-Passw0rd');
    addSecret('ж');
    const out = new Capture();
    const p = new JsonProgress(out, () => 0);
    const e = new JsonExporter(out, () => 0);
    p.step('web-1', 'packages', 'failed', 10, 'sudo said: s3cret-Passw0rd');
    e.hostFinished(report('[sudo] password: ж\nxs3cret-Passw0rdx').hosts[0]!);
    e.finish(report('echo: ж'));
    expect(out.text).not.toContain('s3cret-Passw0rd');
    expect(out.text).not.toContain('ж');
    const events = out.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0].detail).toBe('sudo said: ********');
    expect(events[1].error).toBe('[sudo] password: ********\nx********x');
    expect(events[1].data.said).toBe('[sudo] password: ********\nx********x');
    expect(events[2].hosts[0].error).toBe('echo: ********');
    // Exact data otherwise: the host's escape sequences are there, as JSON escapes.
    expect(events[1].os).toBe(HOSTILE);
  });
});

describe('plain progress and the summary table', () => {
  it('print host text without control characters, the columns intact', () => {
    const stream = new Capture();
    const out = new Capture();
    const p = new PlainProgress(stream, () => 0);
    p.step('web-1', 'packages', 'failed', 10, `E: ${HOSTILE}`);
    p.log(`web-1: ${HOSTILE}`);
    p.stop();
    new TableExporter(out).finish(report(`packages: ${HOSTILE}\nsecond line`));
    expect(stream.text + out.text).not.toMatch(CONTROL);
    expect(stream.text).toContain('clobbered');
    const table = renderSummary(report(`x\n${HOSTILE}`), 120).split('\n');
    expect(table).toHaveLength(5); // header, 2 hosts, totals, '' — the error's line break did not add one
    expect(table[0]!.indexOf('RESULT')).toBe(table[1]!.indexOf('failed'));
    expect(table[0]!.indexOf('RESULT')).toBe(table[2]!.indexOf('ok'));
  });

  it('the logger strips and masks every line', () => {
    addSecret('ab');
    const out = new Capture();
    const log = createLogger({ stream: out, verbose: true });
    log.error(`host said ${HOSTILE} ab`);
    log.command('h', 'printf ab');
    expect(out.text).toBe('error: host said Debian clobbered\ufffd ********\n[h] $ printf ********\n');
  });
});

describe('facts summary', () => {
  it('a hostile os-release value stays on its row, printable', () => {
    const f = parseProbeOutput('x', readFileSync(new URL('../fixtures/probe/ubuntu-24.04-cloud-user.probe', import.meta.url), 'utf8'));
    f.os.prettyName = `${HOSTILE}\n  User          root (uid 0, gid 0)`;
    const text = renderFactsSummary(f);
    expect(text).not.toMatch(CONTROL);
    expect(text.split('\n').filter((l) => l.startsWith('  User '))).toHaveLength(1);
    expect(text).toMatch(/^ {2}OS {12}Debian clobbered\ufffd {3}User/m);
  });
});

describe('doctor report', () => {
  const finding: Finding = {
    id: 'socket.permissions',
    title: 'socket',
    severity: 'error',
    security: false,
    status: 'fail',
    summary: `socket owned by ${HOSTILE}`,
    evidence: [`stat: ${HOSTILE}\n  ✓ healthy  [forged]`],
  } as Finding;

  it('evidence cannot escape to the terminal nor forge a line; errors keep their lines, indented', () => {
    const text = renderHost({ host: 'web1', findings: [finding] });
    expect(text).not.toMatch(CONTROL);
    expect(text.split('\n').some((l) => l.trimStart().startsWith('✓ healthy'))).toBe(false);
    const failed = renderHost({ host: 'web1', findings: [], error: `probe failed: ${HOSTILE}\nline two` });
    expect(failed).not.toMatch(CONTROL);
    expect(failed).toContain('✗ could not check: probe failed: Debian clobbered\ufffd\n    line two');
    const table = renderFleet([{ host: 'web1', findings: [finding] }, { host: 'web2', findings: [], error: `x\n${HOSTILE}` }]);
    expect(table).not.toMatch(CONTROL);
    expect(table.trimEnd().split('\n')).toHaveLength(3);
  });
});
