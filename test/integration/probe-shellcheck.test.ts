/**
 * The probe scripts — probes/*.sh and the fact areas' fragments (src/facts/areas/*.sh) — pass
 * shellcheck as POSIX sh, one by one and assembled as the host gets them, and parse under dash and busybox.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probesDir } from '../../src/core/paths.js';
import { examinationScript } from '../../src/doctor/script.js';
import { AREAS, areasDir } from '../../src/facts/areas/index.js';
import { factsProbeScriptFor } from '../../src/facts/probe.js';

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const shellFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.sh'));
const scripts = [...shellFiles(probesDir).map((s) => join(probesDir, s)), ...shellFiles(areasDir).map((s) => join(areasDir, s))];
const shellcheck = (args: string[], input?: string) =>
  spawnSync('shellcheck', ['--shell=sh', '--severity=style', ...args], { encoding: 'utf8', input });

describe('probe scripts', () => {
  it('are the ones the code reads: the framing, the doctor probe, one fragment per fact area', () => {
    expect(shellFiles(probesDir).sort()).toEqual(['doctor.sh', 'framing.sh']);
    // daemon-info.sh: the daemon area's docker info, which the probe runs beside the rest (probe.ts).
    expect(shellFiles(areasDir).sort()).toEqual([...AREAS.map((a) => a.script), 'daemon-info.sh'].sort());
  });

  // CI installs shellcheck (.ci/run); a developer machine without it is told, not silently passed.
  it.runIf(has('shellcheck'))('pass shellcheck --shell=sh, each file', () => {
    const r = shellcheck(scripts);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  // Assembled, a variable one fragment reads and no earlier fragment sets would show (SC2154).
  it.runIf(has('shellcheck'))('pass shellcheck --shell=sh as the one script a host runs (facts with accounts, the examination)', () => {
    for (const script of [factsProbeScriptFor({ accounts: ['alice', 'svc.deploy$'] }), examinationScript('alice')]) {
      const r = shellcheck(['-'], script);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });
  it.skipIf(has('shellcheck'))('pass shellcheck (skipped: shellcheck is not installed here)', () => {});

  it.each([['dash'], ['busybox', 'sh']].filter(([s]) => has(s!)))('the whole examination parses under %s -n', (...argv) => {
    const r = spawnSync(argv[0]!, [...argv.slice(1), '-n', '-c', examinationScript('alice')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });
});
