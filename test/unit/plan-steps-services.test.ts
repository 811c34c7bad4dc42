/** The services step, per init system: {facts, params} → commands (see test/fixtures/plan/step-table.ts). */
import { describe, expect, it } from 'vitest';
import type { Facts } from '../../src/facts/types.js';
import { makeContext } from '../../src/plan/context.js';
import { servicesTasks } from '../../src/plan/steps/services.js';
import { selectPlaybook } from '../../src/playbook/select.js';
import { factsFor, playbooks } from '../fixtures/facts/build.js';
import { stepTable } from '../fixtures/plan/step-table.js';

const noInit = (hasServiceCommand: boolean) => (f: Facts) => void (f.init = { system: 'none', pid1: 'sh', hasServiceCommand, wsl: false, container: 'docker' });
const sysv = (f: Facts) => void ((f.init = { system: 'sysvinit', pid1: 'init', hasServiceCommand: true, wsl: false }), (f.serviceRunning = { docker: false }));
const newDaemonJson = (f: Facts) => void (f.daemonJson = { path: '/etc/docker/daemon.json', exists: true, content: '{ "log-level": "warn" }\n' });

stepTable('services', [
  {
    name: 'systemd, fresh: enable and start both units',
    release: 'debian-12',
    expect: {
      reason: 'not enabled and running: containerd.service, docker.service',
      commands: [{ summary: 'enable and start containerd.service docker.service', lines: ['systemctl enable --now containerd.service docker.service'] }],
    },
  },
  {
    name: 'systemd, converged: nothing',
    release: 'debian-12',
    state: 'converged',
    expect: { reason: 'ok: containerd, docker enabled and running', commands: [] },
  },
  {
    name: 'systemd, running, daemon.json changes a key only a restart applies: one try-restart, saying why',
    release: 'debian-12',
    state: 'converged',
    facts: newDaemonJson,
    expect: {
      reason: 'restart docker once (storage-driver needs a restart)',
      commands: [{ summary: 'restart docker once (new daemon settings)', lines: ['systemctl reset-failed docker.service 2>/dev/null || true', 'systemctl try-restart docker.service'] }],
    },
  },
  {
    name: 'systemd, docker.service and docker.socket left failed (start limit) by an earlier attempt: reset first, then start',
    release: 'debian-12',
    state: 'converged',
    facts: (f) => {
      f.units['docker.service'] = { ...f.units['docker.service']!, activeState: 'failed', subState: 'failed', result: 'start-limit-hit' };
      f.units['docker.socket'] = { name: 'docker.socket', loadState: 'loaded', activeState: 'failed', unitFileState: 'enabled', result: 'service-start-limit-hit' };
    },
    expect: {
      reason: 'left failed by an earlier start: docker.service, docker.socket; not enabled and running: docker.service',
      commands: [
        { summary: 'reset the failed state of docker.service docker.socket', lines: ['systemctl reset-failed docker.service docker.socket'] },
        { summary: 'enable and start docker.service', lines: ['systemctl enable --now docker.service'] },
      ],
    },
  },
  {
    name: 'systemd, containerd.service inactive after a failure (result exit-code): reset it too',
    release: 'debian-12',
    state: 'converged',
    facts: (f) => void (f.units['containerd.service'] = { ...f.units['containerd.service']!, activeState: 'inactive', subState: 'dead', result: 'exit-code' }),
    expect: {
      reason: 'left failed by an earlier start: containerd.service; not enabled and running: containerd.service',
      commands: [
        { summary: 'reset the failed state of containerd.service', lines: ['systemctl reset-failed containerd.service'] },
        { summary: 'enable and start containerd.service', lines: ['systemctl enable --now containerd.service'] },
      ],
    },
  },
  {
    name: 'systemd, only docker listed by the playbook',
    release: 'debian-12',
    params: { services: ['docker'] },
    expect: { reason: 'not enabled and running: docker.service', commands: [{ summary: 'enable and start docker.service', lines: ['systemctl enable --now docker.service'] }] },
  },
  {
    name: 'OpenRC, fresh: add to the default runlevel, then start',
    release: 'alpine-3.22',
    expect: {
      reason: 'docker is not running',
      commands: [
        {
          summary: 'enable and start docker (OpenRC)',
          lines: ['rc-update add docker default', 'if rc-service docker status >/dev/null 2>&1; then :; else rc-service docker start; fi'],
        },
      ],
    },
  },
  {
    name: 'OpenRC, running but not enabled',
    release: 'alpine-3.22',
    state: 'converged',
    facts: (f) => void (f.serviceEnabled = { docker: false }),
    expect: { reason: 'not enabled at boot: docker', commands: [{ summary: 'enable and start docker (OpenRC)', has: ['rc-update add docker default'] }] },
  },
  {
    name: 'sysvinit: start, containerd only where it has an init script; restart on a new daemon.json after a package install',
    release: 'debian-12',
    facts: (f) => (sysv(f), newDaemonJson(f)),
    changed: ['packages'],
    expect: {
      reason: 'daemon.json changes: restart docker',
      commands: [
        {
          summary: 'start containerd docker',
          lines: [
            'if [ -e /etc/init.d/containerd ]; then if service containerd status >/dev/null 2>&1; then :; else service containerd start; fi; fi',
            'if service docker status >/dev/null 2>&1; then service docker restart; else service docker start; fi',
          ],
        },
      ],
    },
  },
  {
    name: 'no init system, with the service command: as sysvinit',
    release: 'debian-12',
    facts: noInit(true),
    params: { services: ['docker'] },
    expect: { reason: 'docker is not running', commands: [{ summary: 'start docker', lines: ['if service docker status >/dev/null 2>&1; then :; else service docker start; fi'] }] },
  },
  {
    name: 'no init system and no service command: fails saying so',
    release: 'debian-12',
    facts: noInit(false),
    expect: {
      reason: 'docker is not running',
      commands: [{ summary: 'start docker', lines: ["{ echo 'no init system and no `service` command here: start dockerd yourself, then run dockhand again' >&2; exit 1; }"] }],
    },
  },
]);

describe('the rendered services tasks reset what an earlier start left failed (systemd only)', () => {
  const tasksFor = (name: string, patch?: (f: Facts) => void) => {
    const facts = factsFor(name, 'converged');
    patch?.(facts);
    const ctx = makeContext(facts, selectPlaybook(facts.os, playbooks), { loginUser: 'admin' });
    return { facts, tasks: servicesTasks(ctx) };
  };
  it('systemd: one task, its test true on a converged host and false on a start-limited one', () => {
    const { facts, tasks } = tasksFor('debian-12');
    const reset = tasks.find((t) => t.summary.startsWith('reset the failed state'))!;
    // The shell twin tests each unit the way stuckUnits() reads the facts: active, or not failed
    // with a successful last result; the action resets each of them.
    for (const unit of ['docker.service', 'docker.socket', 'containerd.service']) {
      expect(reset.test.shell).toContain(`systemctl is-active --quiet ${unit} || { ! systemctl is-failed --quiet ${unit} && r=$(systemctl show -p Result --value ${unit}`);
    }
    expect(reset.action).toEqual(['for u in docker.service docker.socket containerd.service; do systemctl reset-failed "$u" 2>/dev/null || true; done']);
    expect(reset.test.holds?.(facts)).toBe(true);
    facts.units['docker.service'] = { ...facts.units['docker.service']!, activeState: 'failed', result: 'start-limit-hit' };
    expect(reset.test.holds?.(facts)).toBe(false);
    // Before the units are started.
    expect(tasks.indexOf(reset)).toBeLessThan(tasks.findIndex((t) => t.summary.startsWith('enable and start')));
  });
  it('OpenRC has no failed state to reset', () => {
    expect(tasksFor('alpine-3.22').tasks.some((t) => t.summary.startsWith('reset'))).toBe(false);
  });
});
