/**
 * A planted dockerd (issue 9): a real process named dockerd run by `nobody`, in private mount and
 * PID namespaces on this machine (so the machine's own daemon is out of sight), is found by the
 * real examination script and reported by the doctor as a security finding naming its pid and uid
 * — and is never taken for the system daemon.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFns } from '../../src/doctor/checks/index.js';
import { loadDeclarations } from '../../src/doctor/declarations.js';
import { runChecks } from '../../src/doctor/engine.js';
import { doctorFromProbe } from '../../src/doctor/parse.js';
import { examinationScript } from '../../src/doctor/script.js';
import { factsFromProbe } from '../../src/facts/gather.js';
import { splitProbeOutput } from '../../src/probe/framing.js';

const which = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
const canStage =
  process.getuid?.() === 0 && ['unshare', 'setpriv', 'sleep'].every((t) => which(t) !== '') &&
  spawnSync('unshare', ['--mount', '--pid', '--fork', '--mount-proc', 'true']).status === 0;

const STAGE = `
set -e
T=$1
setpriv --reuid=65534 --regid=65534 --clear-groups "$T/dockerd" 60 &
echo $! > "$T/pid"
while ! pidof dockerd >/dev/null; do sleep 0.05; done
sh -c "$PROBE" > "$T/out"
`;

describe.runIf(canStage)('a dockerd run by nobody', () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'dockhand-foreign-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is a security finding with its pid and uid, and not the system daemon', async () => {
    chmodSync(dir, 0o755);
    copyFileSync(which('sleep'), join(dir, 'dockerd'));
    const r = spawnSync('unshare', ['--mount', '--propagation', 'private', '--pid', '--fork', '--mount-proc', 'sh', '-c', STAGE, 'stage', dir], {
      encoding: 'utf8',
      env: { ...process.env, PROBE: examinationScript() },
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const pid = readFileSync(join(dir, 'pid'), 'utf8').trim();
    const out = splitProbeOutput(readFileSync(join(dir, 'out'), 'utf8'), 'local');
    const facts = factsFromProbe('local', out);
    expect(facts.dockerd).toBeUndefined();
    expect(facts.foreignDockerd).toEqual([{ pid: Number(pid), uid: 65534 }]);

    const decls = await loadDeclarations(fileURLToPath(new URL('../../checks', import.meta.url)));
    const findings = runChecks(decls, checkFns, { facts, client: doctorFromProbe(out).evidence, api: [], apiVia: 'not-probed' });
    const f = findings.find((x) => x.id === 'security.foreign-dockerd')!;
    expect(f.status).toBe('warn');
    expect(f.security).toBe(true);
    expect(f.evidence).toContain(`pid ${pid}: a process named dockerd run by uid 65534, not root`);
    expect(f.fix?.commands).toEqual([`ps -o pid,user,lstart,args -p ${pid}`]);
  }, 90_000);
});
