/** --fix policy and the rendered report (fix block, summary line, fleet table, JSON). */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ExecOptions, ExecResult, Transport } from '../../src/transport/types.js';
import { applicableFixes, applyFixes, remainingAdvice, type FixOptions } from '../../src/doctor/fix.js';
import { runChecks, summaryLine, summarize, type Finding } from '../../src/doctor/engine.js';
import { loadDeclarations } from '../../src/doctor/declarations.js';
import { checkFns } from '../../src/doctor/checks/index.js';
import { fixBlock, privilegeOf, renderFleet, renderHost, toJson } from '../../src/doctor/render.js';
import type { DoctorEvidence } from '../../src/doctor/evidence.js';

const f = (id: string, cls: NonNullable<Finding['fix']>['class'], commands: string[], extra: Partial<Finding> = {}): Finding => ({
  id,
  title: id,
  severity: 'error',
  security: false,
  status: 'fail',
  summary: `${id} is broken`,
  evidence: [],
  fix: { class: cls, as: 'root', commands },
  ...extra,
});

class RecordingTransport implements Transport {
  readonly name = 'rec';
  readonly kind = 'local' as const;
  calls: Array<{ script: string; sudo?: boolean }> = [];
  async exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.calls.push({ script, sudo: opts.sudo });
    return { code: script.includes('fails') ? 1 : 0, stdout: '', stderr: script.includes('fails') ? 'boom' : '' };
  }
  async writeFile() {}
  async reconnect() {}
  async close() {}
}

const findings = [
  f('daemon.running', 'safe', ['systemctl reset-failed docker.service docker.socket', 'systemctl enable --now docker.socket docker.service']),
  f('socket.exists', 'safe', ['systemctl reset-failed docker.service docker.socket']),
  f('user.in-group', 'confirm-root-equivalent', ['usermod -aG docker alice']),
  f('security.tcp-without-tls', 'never-auto', [], { security: true }),
  f('daemon.start-failure', 'manual', ['dockerd --validate --config-file /etc/docker/daemon.json']),
  f('endpoint.context', 'safe', ['docker context use default'], { fix: { class: 'safe', as: 'user', commands: ['docker context use default'] } }),
  f('storage.driver', 'manual', [], { status: 'pass' }),
];

const base = (over: Partial<FixOptions> = {}): FixOptions & { lines: string[] } => {
  const lines: string[] = [];
  return { yes: false, allowRootEquivalent: false, user: 'alice', home: '/home/alice', transportIsUser: true, log: (l) => lines.push(l), lines, ...over };
};

describe('applicableFixes', () => {
  it('takes safe and root-equivalent fixes only, each command once, in check order', () => {
    const steps = applicableFixes(findings);
    expect(steps.map((s) => s.finding.id)).toEqual(['daemon.running', 'user.in-group', 'endpoint.context']);
    expect(steps[0]!.commands).toHaveLength(2);
  });
});

describe('applyFixes', () => {
  it('with --yes runs the safe fixes as root, but not the root-equivalent one without --allow-root-equivalent', async () => {
    const t = new RecordingTransport();
    const o = base({ yes: true });
    await applyFixes(t, applicableFixes(findings), o);
    expect(t.calls.map((c) => c.script)).toEqual([
      'systemctl reset-failed docker.service docker.socket',
      'systemctl enable --now docker.socket docker.service',
      'docker context use default',
    ]);
    expect(t.calls.map((c) => c.sudo)).toEqual([true, true, false]);
    expect(o.lines.join('\n')).toContain('user.in-group: skipped (needs --allow-root-equivalent)');
  });

  it('with --yes --allow-root-equivalent adds the user to docker', async () => {
    const t = new RecordingTransport();
    await applyFixes(t, applicableFixes(findings), base({ yes: true, allowRootEquivalent: true }));
    expect(t.calls.map((c) => c.script)).toContain('usermod -aG docker alice');
  });

  it('without a TTY and without --yes applies nothing', async () => {
    const t = new RecordingTransport();
    const o = base();
    await applyFixes(t, applicableFixes(findings), o);
    expect(t.calls).toEqual([]);
    expect(o.lines.every((l) => l.includes('not confirmed (no TTY; use --yes)'))).toBe(true);
  });

  it('asks on a TTY, stating root-equivalence for the group', async () => {
    const questions: string[] = [];
    const t = new RecordingTransport();
    await applyFixes(t, applicableFixes(findings), base({ ask: async (q) => (questions.push(q), q.includes('reset-failed')) }));
    expect(questions).toHaveLength(3);
    expect(questions[1]).toMatch(/ROOT-EQUIVALENT/);
    expect(t.calls.map((c) => c.script)).toEqual(['systemctl reset-failed docker.service docker.socket', 'systemctl enable --now docker.socket docker.service']);
  });

  it('runs user fixes as the checked user when the transport is someone else', async () => {
    const t = new RecordingTransport();
    await applyFixes(t, applicableFixes([findings[5]!]), base({ yes: true, transportIsUser: false }));
    expect(t.calls).toEqual([{ script: "runuser -u alice -- env HOME=/home/alice sh -c 'docker context use default'", sudo: true }]);
  });

  it('stops a fix at its first failing command and says so', async () => {
    const t = new RecordingTransport();
    const o = base({ yes: true });
    const r = await applyFixes(t, applicableFixes([f('x.y', 'safe', ['this fails', 'never reached']), f('a.b', 'safe', ['works'])]), o);
    // issue 8 Found #10: a failed fix is not counted as applied.
    expect(r).toEqual({ applied: 1, failed: 1 });
    expect(t.calls.map((c) => c.script)).toEqual(['this fails', 'works']);
    expect(o.lines[0]).toMatch(/✗ x\.y: this fails \(exit 1\): boom/);
  });

  it('tells what remains after fixing: a new login for a stale session, and every failure still there', () => {
    const left = remainingAdvice([f('user.session', 'manual', ['newgrp docker']), f('daemon.running', 'safe', ['service docker start']), f('daemon.start-failure', 'manual', [])]);
    expect(left[0]).toMatch(/log out and back in.*newgrp docker/);
    expect(left[1]).toBe('daemon.running: daemon.running is broken (still failing)');
    expect(left[2]).toBe('daemon.start-failure: daemon.start-failure is broken — see the fix block');
  });
});

describe('report', () => {
  const healthy: DoctorEvidence = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/doctor/healthy.json', import.meta.url)), 'utf8'));
  const checksDir = fileURLToPath(new URL('../../checks', import.meta.url));

  it('prints one fix block with sudo for root commands, comments for never-auto, and a summary line', () => {
    const block = fixBlock(findings);
    expect(block).toContain('sudo systemctl enable --now docker.socket docker.service');
    expect(block).toContain('docker context use default');
    expect(block.join('\n')).toMatch(/# user\.in-group: ROOT-EQUIVALENT/);
    expect(block.join('\n')).toMatch(/# security\.tcp-without-tls: review and change by hand/);
    expect(fixBlock(findings, true)).toContain('systemctl enable --now docker.socket docker.service');
    expect(summaryLine(summarize(findings))).toBe('6 problems, 0 warnings, 1 ok, 0 skipped');
  });

  it('fits the fix block to the privilege: root no sudo, sudo installed sudo, neither says what is needed', () => {
    expect(fixBlock(findings, 'root')).toContain('systemctl enable --now docker.socket docker.service');
    expect(fixBlock(findings, 'root').join('\n')).not.toMatch(/^sudo /m);
    expect(fixBlock(findings, 'sudo')).toContain('sudo systemctl enable --now docker.socket docker.service');
    const none = fixBlock(findings, 'none');
    expect(none.join('\n')).not.toMatch(/^sudo /m);
    expect(none[0]).toMatch(/need root, and sudo is not installed: run them as root/);
    expect(none).toContain('systemctl enable --now docker.socket docker.service');
    // User commands never get sudo nor need root.
    expect(fixBlock(findings, 'sudo')).toContain('docker context use default');
    expect(privilegeOf({ root: false, sudo: false })).toBe('none');
    expect(privilegeOf({ root: true, sudo: false })).toBe('root');
    expect(privilegeOf({ root: false, sudo: true })).toBe('sudo');
  });

  it('renders a stale-session host with the evidence and the exact fix', async () => {
    const decls = await loadDeclarations(checksDir);
    const ev = structuredClone(healthy);
    ev.client.user.sessionGroups = ['alice', 'sudo'];
    ev.api = [{ endpoint: 'unix:///var/run/docker.sock', ok: false, error: { kind: 'EACCES', message: 'permission denied' } }];
    const text = renderHost({ host: 'web1', user: 'alice', findings: runChecks(decls, checkFns, ev) });
    expect(text).toContain('✗ alice was added to docker, but this session started before that  [user.session]');
    expect(text).toContain('this session: alice sudo');
    expect(text).toContain('newgrp docker');
    expect(text.trim().split('\n').at(-1)).toMatch(/^1 problem, 0 warnings, \d+ ok, \d+ skipped$/);
  });

  it('fleet table: one row per host, worst first; JSON keeps ids', async () => {
    const decls = await loadDeclarations(checksDir);
    const ok = runChecks(decls, checkFns, healthy);
    const broken = runChecks(decls, checkFns, { ...healthy, facts: { ...healthy.facts, daemonJson: { path: '/etc/docker/daemon.json', exists: true, content: '{"hosts":["tcp://0.0.0.0:2375"]}' } } });
    const table = renderFleet([
      { host: 'a-ok', findings: ok },
      { host: 'b-down', findings: [], error: 'connection refused' },
      { host: 'c-open', findings: broken },
    ]).split('\n');
    expect(table[0]).toMatch(/^HOST\s+STATE\s+WORST FINDING$/);
    expect(table[1]).toMatch(/^b-down\s+could not check/);
    expect(table[2]).toMatch(/^c-open\s+1 problem\s+✗ security\.tcp-without-tls/);
    expect(table[3]).toMatch(/^a-ok\s+ok\s+✓ healthy/);
    const json = toJson([{ host: 'c-open', findings: broken }]) as Array<{ findings: Array<{ id: string; status: string }> }>;
    expect(json[0]!.findings.find((x) => x.id === 'security.tcp-without-tls')!.status).toBe('fail');
  });
});

const initChecks = await loadDeclarations(fileURLToPath(new URL('../../checks', import.meta.url)));

describe('service fixes are written for the host init system', () => {
  const checks = initChecks;
  const base: DoctorEvidence = JSON.parse(readFileSync(new URL('../fixtures/doctor/healthy.json', import.meta.url), 'utf8'));
  /** The healthy host under `init`, with the daemon stopped or the docker group gone. */
  function broken(init: DoctorEvidence['facts']['init'], what: 'stopped' | 'no-group'): Record<string, Finding> {
    const ev: DoctorEvidence = structuredClone(base);
    ev.facts.init = init;
    if (init.system !== 'systemd') {
      ev.facts.units = {};
      ev.facts.serviceRunning = { docker: what !== 'stopped' };
    }
    if (what === 'no-group') ev.facts.dockerGroup = { exists: false, members: [] };
    else {
      ev.facts.dockerd = undefined;
      for (const u of Object.values(ev.facts.units)) Object.assign(u, { activeState: 'inactive', subState: 'dead' });
      ev.client.journal = { docker: [], socket: [] };
      ev.api = [{ endpoint: 'unix:///var/run/docker.sock', ok: false, error: { kind: 'ENOENT', message: 'no such file' } }];
    }
    return Object.fromEntries(runChecks(checks, checkFns, ev).map((x) => [x.id, x]));
  }
  const cases: Array<[string, DoctorEvidence['facts']['init'], { group: string[]; running: string[] | undefined }]> = [
    ['systemd', { system: 'systemd', pid1: 'systemd', hasServiceCommand: true, wsl: false }, {
      group: ['groupadd --system docker', 'systemctl reset-failed docker.socket docker.service', 'systemctl restart docker.socket docker.service'],
      // The stopped systemd daemon is covered by test/fixtures/doctor/cases.yaml (systemctl enable --now).
      running: undefined,
    }],
    ['OpenRC', { system: 'openrc', pid1: 'init', hasServiceCommand: false, wsl: false }, {
      group: ['groupadd --system docker', 'rc-service docker restart'],
      running: ['rc-update add docker default && rc-service docker start'],
    }],
    ['sysvinit', { system: 'sysvinit', pid1: 'init', hasServiceCommand: true, wsl: false }, {
      group: ['groupadd --system docker', 'service docker restart'],
      running: ['service docker start'],
    }],
    ['no init, no service command', { system: 'none', pid1: 'sh', hasServiceCommand: false, wsl: false, container: 'docker' }, {
      group: ['groupadd --system docker'],
      running: [],
    }],
  ];
  it.each(cases)('%s', (_name, init, want) => {
    expect(broken(init, 'no-group')['daemon.group']!.fix?.commands).toEqual(want.group);
    const stopped = broken(init, 'stopped');
    if (want.running) expect(stopped['daemon.running']!.fix?.commands).toEqual(want.running);
    const commands = Object.values(stopped).flatMap((x) => x.fix?.commands ?? []);
    if (init.system !== 'systemd') expect(commands.filter((c) => /systemctl|journalctl/.test(c))).toEqual([]);
  });
  it('says so where nothing can start a service', () => {
    const found = broken({ system: 'none', pid1: 'sh', hasServiceCommand: false, wsl: false, container: 'docker' }, 'stopped');
    expect(found['daemon.running']!.fix?.note).toContain('no init system and no `service` command');
  });
});
