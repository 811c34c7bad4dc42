/** The rolling run's pure parts: container records from a host, the gate's verdicts, the plan's restart note. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/doctor/engine.js';
import { parseContainers, type ContainerList, type ContainerState } from '../../src/rollout/containers.js';
import { containerProblems, daemonCheckProblems, mustComeBack, unsettled } from '../../src/rollout/gate.js';
import { restartNote } from '../../src/rollout/restarts.js';
import { planForHost } from '../../src/plan/build.js';
import { factsFor, playbooks } from '../fixtures/facts/build.js';

const id = (n: number) => String(n).repeat(64).slice(0, 64);
const rec = (n: number, name: string, policy: string, status = 'running', started = '2026-12-01T10:00:00.1Z', count = 0) =>
  `${id(n)}|/${name}|${policy}|${status}|${started}|${count}`;
const state = (n: number, name: string, policy: ContainerState['restartPolicy'], status = 'running'): ContainerState => ({
  id: id(n), name, restartPolicy: policy, status, startedAt: '2026-12-01T10:00:00.1Z', restartCount: 0,
});

describe('parseContainers', () => {
  it('reads Docker-shaped records; an empty policy is "no"', () => {
    const list = parseContainers([rec(1, 'web', 'always'), rec(2, 'batch', '')].join('\n'));
    expect(list.answered).toBe(true);
    expect(list.unreadable).toBe(0);
    expect(list.containers.map((c) => [c.name, c.restartPolicy])).toEqual([['web', 'always'], ['batch', 'no']]);
  });
  it('counts forged or garbled records as unreadable, never as containers', () => {
    const list = parseContainers([rec(1, 'web', 'always'), `${id(2)}|/x\u001b[2J|always|running|t|0`, `${id(3)}|/a|always|running|t|0|extra`, 'junk'].join('\n'));
    expect(list.containers.map((c) => c.name)).toEqual(['web']);
    expect(list.unreadable).toBe(3);
  });
  it('no daemon: not answered', () => {
    expect(parseContainers('DH_NO_DAEMON\n').answered).toBe(false);
  });
});

describe('gate verdicts', () => {
  const before = [state(1, 'web', 'always'), state(2, 'job', 'no'), state(3, 'db', 'unless-stopped')];
  it('only running containers with a restart policy must come back', () => {
    expect(mustComeBack(before).map((c) => c.name)).toEqual(['web', 'db']);
  });
  it('names what is not running again', () => {
    const now: ContainerList = { answered: true, unreadable: 0, containers: [state(1, 'web', 'always', 'restarting')] };
    expect(containerProblems(mustComeBack(before), now)).toEqual(['container web (restart always) is restarting', 'container db (restart unless-stopped) is gone']);
    expect(containerProblems([], { answered: false, containers: [], unreadable: 0 })).toEqual(['the Docker API does not answer']);
  });
  it('passes with every one running, and unreadable records fail it', () => {
    const now: ContainerList = { answered: true, unreadable: 0, containers: mustComeBack(before) };
    expect(containerProblems(mustComeBack(before), now)).toEqual([]);
    expect(containerProblems(mustComeBack(before), { ...now, unreadable: 1 })).toEqual(['1 container record(s) unreadable']);
  });
  it('a container restarted between two looks is a restart loop', () => {
    const first = parseContainers(rec(1, 'web', 'always'));
    const again = parseContainers(rec(1, 'web', 'always', 'running', '2026-12-01T10:00:05.1Z', 1));
    expect(unsettled(first, again)).toEqual(['container web keeps restarting (restart count 1)']);
    expect(unsettled(first, first)).toEqual([]);
  });
  it('daemon checks: an error fails, and daemon.running must have passed', () => {
    const f = (fid: string, status: Finding['status'], severity: Finding['severity'] = 'error'): Finding => ({ id: fid, title: fid, severity, security: false, status, summary: `${fid} ${status}`, evidence: [] });
    expect(daemonCheckProblems([f('daemon.running', 'pass'), f('daemon.group', 'pass'), f('socket.x', 'fail')])).toEqual([]);
    expect(daemonCheckProblems([f('daemon.running', 'pass'), f('daemon.containerd', 'fail')])).toEqual(['doctor daemon.containerd: daemon.containerd fail']);
    expect(daemonCheckProblems([f('daemon.group', 'pass')])).toEqual(['doctor daemon.running did not run']);
    expect(daemonCheckProblems([f('daemon.running', 'skip')])).toEqual(['doctor daemon.running: skip: daemon.running skip']);
  });
});

describe('restart note in the plan', () => {
  const converged = (patch: (f: ReturnType<typeof factsFor>) => void = () => {}) =>
    factsFor('debian-12', 'converged', (f) => {
      f.packages['docker-ce'] = '5:27.5.1-1~debian.12~bookworm';
      f.dockerd = { pid: 42, cmdline: '/usr/bin/dockerd -H fd://' };
      patch(f);
    });
  const containers = parseContainers([rec(1, 'web', 'always'), rec(2, 'job', '')].join('\n'));
  const note = (facts: ReturnType<typeof factsFor>, dockerVersion: string) =>
    restartNote(planForHost(facts, playbooks, { dockerVersion, source: 'docker' }), { facts, containers, dockerVersion, engine: 'docker-ce' });

  it('an upgrade names the containers that restart and those that stay stopped', () => {
    expect(note(converged(), '28.0')).toEqual({
      stepId: 'packages',
      note: 'restarts the Docker daemon: 2 running container(s) stop; 1 restart by their restart policy (web); 1 stay stopped, having no restart policy (job)',
    });
  });
  it('live-restore across a patch release: none restarts', () => {
    const facts = converged((f) => void (f.daemonJson = { path: '/etc/docker/daemon.json', exists: true, content: '{"live-restore": true}' }));
    expect(note(facts, '27.5.3')?.note).toBe('live-restore is on (5:27.5.1-1~debian.12~bookworm → 27.5.3 is a patch release): no container restarts; 2 keep running (web, job)');
    // Across a minor release the engine does not restore them live.
    expect(note(facts, '28.0')?.note).toMatch(/^restarts the Docker daemon \(live-restore cannot span it: .* is not a patch release\): 2 running/);
  });
  it('nothing said when the version already matches', () => {
    expect(note(converged(), '27.5')).toBeUndefined();
  });
});
