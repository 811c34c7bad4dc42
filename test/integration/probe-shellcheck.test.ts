/** The probe scripts (probes/*.sh) pass shellcheck as POSIX sh, and parse under dash and busybox. */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probesDir } from '../../src/core/paths.js';
import { examinationScript } from '../../src/doctor/script.js';

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const scripts = readdirSync(probesDir).filter((f) => f.endsWith('.sh'));

describe('probe scripts', () => {
  it('are the three the code reads', () => {
    expect(scripts.sort()).toEqual(['doctor.sh', 'facts.sh', 'framing.sh']);
  });

  // CI installs shellcheck (.ci/run); a developer machine without it is told, not silently passed.
  it.runIf(has('shellcheck'))('pass shellcheck --shell=sh', () => {
    const r = spawnSync('shellcheck', ['--shell=sh', '--severity=style', ...scripts.map((s) => join(probesDir, s))], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  it.skipIf(has('shellcheck'))('pass shellcheck (skipped: shellcheck is not installed here)', () => {});

  it.each([['dash'], ['busybox', 'sh']].filter(([s]) => has(s!)))('the whole examination parses under %s -n', (...argv) => {
    const r = spawnSync(argv[0]!, [...argv.slice(1), '-n', '-c', examinationScript('alice')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});
