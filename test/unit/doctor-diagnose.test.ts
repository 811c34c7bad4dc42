/**
 * `up`'s diagnosis of a daemon that did not start (src/doctor/diagnose.ts): from the doctor's
 * findings, the daemon's first failing one — the fatal journal line as the reason, and its fix —
 * becomes the error, with what systemctl said kept below it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CommandError, ExitCode } from '../../src/core/errors.js';
import { checkFns } from '../../src/doctor/checks/index.js';
import { loadDeclarations } from '../../src/doctor/declarations.js';
import { DaemonStartError, daemonFinding } from '../../src/doctor/diagnose.js';
import { runChecks } from '../../src/doctor/engine.js';
import type { DoctorEvidence } from '../../src/doctor/evidence.js';

const healthy: DoctorEvidence = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/doctor/healthy.json', import.meta.url)), 'utf8'));
const decls = await loadDeclarations(fileURLToPath(new URL('../../checks', import.meta.url)));
const SYSTEMCTL = 'Job for docker.service failed because the control process exited with error code.\nSee "systemctl status docker.service" and "journalctl -xeu docker.service" for details.';

function failedStart(journal: string[]): DoctorEvidence {
  const ev = structuredClone(healthy);
  delete ev.facts.dockerd;
  ev.facts.units['docker.service'] = { ...ev.facts.units['docker.service']!, activeState: 'failed', subState: 'failed', result: 'exit-code' };
  ev.client.journal.docker = journal;
  ev.api = [{ endpoint: 'unix:///var/run/docker.sock', ok: false, error: { kind: 'ENOENT', message: 'no such file' } }];
  return ev;
}

describe('a daemon that did not start, as up reports it', () => {
  const original = new CommandError('web1', 'services: enable and start docker.service', 1, SYSTEMCTL);

  it('names the fatal line (an unrecognised one verbatim) and keeps systemctl\'s words', () => {
    const fatal = 'failed to start daemon: pid file found, ensure docker is not running or delete /var/run/docker.pid';
    const f = daemonFinding(runChecks(decls, checkFns, failedStart(['Starting Docker Application Container Engine...', 'level=info msg="[graphdriver] using prior storage driver: overlay2"', fatal])));
    expect(f?.id).toBe('daemon.start-failure');
    const err = new DaemonStartError(original, f!);
    expect(err).toBeInstanceOf(CommandError);
    expect(err.exitCode).toBe(ExitCode.hostFailed);
    const lines = err.message.split('\n');
    expect(lines[0]).toBe(`web1: the Docker daemon did not start: dockerd failed to start: ${fatal} (daemon.start-failure)`);
    expect(lines).toContain(`  reason: ${fatal}`);
    expect(err.message).toContain('fix (manual): journalctl -u docker.service -n 50 --no-pager');
    expect(err.message).toContain('services: enable and start docker.service exited 1:\n    Job for docker.service failed');
    // The info line about the graph driver is never the reason.
    expect(err.message).not.toMatch(/storage/);
  });

  it('a recognised cause: its summary and its fix', () => {
    const f = daemonFinding(runChecks(decls, checkFns, failedStart(["unable to configure the Docker daemon with file /etc/docker/daemon.json: the following directives don't match any configuration option: bogus-key"])));
    const msg = new DaemonStartError(original, f!).message;
    expect(msg.split('\n')[0]).toBe('web1: the Docker daemon did not start: dockerd refuses its configuration (/etc/docker/daemon.json) (daemon.start-failure)');
    expect(msg).toContain('fix (manual): dockerd --validate --config-file /etc/docker/daemon.json');
  });

  it('containerd masked: the cause, not the consequence', () => {
    const ev = failedStart([]);
    ev.facts.units['containerd.service'] = { ...ev.facts.units['containerd.service']!, activeState: 'inactive', loadState: 'masked', unitFileState: 'masked' };
    delete ev.client.containerd;
    expect(daemonFinding(runChecks(decls, checkFns, ev))?.id).toBe('daemon.containerd');
  });

  it('a healthy daemon: nothing to say (the original error stands)', () => {
    expect(daemonFinding(runChecks(decls, checkFns, healthy))).toBeUndefined();
  });
});
