/** The apply engine against a scripted fake transport (pure control flow: order, stop, reconnect). */
import { describe, expect, it } from 'vitest';
import { applyPlan, progressLineSplitter, renderSummary, summarize } from '../../src/apply/apply.js';
import { CommandError, ConnectError, ExitCode, exitCodeOf, InputError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import { fleetExitCode } from '../../src/fleet/run.js';
import type { StepStatus } from '../../src/fleet/types.js';
import { planForHost } from '../../src/plan/build.js';
import type { ExecOptions, ExecResult, Transport } from '../../src/transport/types.js';
import { factsFor, playbooks } from '../fixtures/facts/build.js';

class ScriptedTransport implements Transport {
  readonly name = 'fake';
  readonly kind = 'ssh' as const;
  readonly calls: Array<{ script: string; sudo?: boolean } | 'reconnect'> = [];
  constructor(private readonly failWhen: (script: string) => ExecResult | undefined = () => undefined) {}
  async exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.calls.push({ script, sudo: opts.sudo });
    const failure = this.failWhen(script);
    if (failure) opts.onOutput?.(failure.stderr, 'stderr');
    return failure ?? { code: 0, stdout: '', stderr: '' };
  }
  async writeFile(): Promise<void> {}
  async reconnect(): Promise<void> {
    this.calls.push('reconnect');
  }
  async close(): Promise<void> {}
}

/** Records what the apply engine reports, as the fleet runner would receive it. */
const sink = () => {
  const events: string[] = [];
  return { progress: (step: string, status: StepStatus, detail?: string) => void events.push(`${step} ${status}${detail ? `: ${detail}` : ''}`), events };
};

describe('applyPlan', () => {
  it('runs every command of a fresh plan in order, as root, and reconnects after the group change', async () => {
    const plan = planForHost(factsFor('debian-12', 'fresh'), playbooks, { loginUser: 'admin' });
    const t = new ScriptedTransport();
    const out = sink();
    const result = await applyPlan(plan, t, out.progress, silentLogger);
    const planned = plan.steps.flatMap((s) => s.commands.map((c) => c.script));
    expect(t.calls.filter((c) => c !== 'reconnect').map((c) => (c as { script: string }).script)).toEqual(planned);
    expect(t.calls.every((c) => c === 'reconnect' || c.sudo === true)).toBe(true);
    // The reconnect comes right after the users step, before services and verify.
    const reconnectAt = t.calls.indexOf('reconnect');
    expect(reconnectAt).toBeGreaterThan(0);
    expect((t.calls[reconnectAt - 1] as { script: string }).script).toContain('usermod -aG docker admin');
    expect(summarize(result)).toEqual({ changed: 6, ok: 3, failed: 0, skipped: 0 });
    expect(renderSummary(result)).toBe('debian-12: 6 changed, 3 ok, 0 failed');
    expect(out.events).toContain('packages running: [5/9] Docker packages');
    expect(out.events).toContainEqual(expect.stringMatching(/^packages changed: not installed: docker-ce/));
    expect(out.events.filter((e) => !/^\S+ running/.test(e))).toHaveLength(9);
  });

  it('a converged plan runs nothing', async () => {
    const t = new ScriptedTransport();
    const result = await applyPlan(planForHost(factsFor('fedora-42', 'converged'), playbooks, { loginUser: 'admin' }), t, sink().progress, silentLogger);
    expect(t.calls).toEqual([]);
    expect(summarize(result)).toEqual({ changed: 0, ok: 9, failed: 0, skipped: 0 });
  });

  it('stops the host at the failing step with the command, exit status and last output', async () => {
    const plan = planForHost(factsFor('ubuntu-24.04', 'fresh'), playbooks, { loginUser: 'admin' });
    const t = new ScriptedTransport((s) =>
      s.includes('gpg --batch') ? { code: 1, stdout: '', stderr: 'refusing the key from https://download.docker.com/linux/ubuntu/gpg: expected …\n' } : undefined,
    );
    const result = await applyPlan(plan, t, sink().progress, silentLogger);
    expect(result.error).toBeInstanceOf(CommandError);
    expect(result.error!.message).toMatch(/^ubuntu-24\.04: command failed \(exit 1\): repository: download the signing key/);
    expect(result.error!.message).toContain('refusing the key from');
    expect(result.steps.map((s) => s.status)).toEqual(['ok', 'changed', 'ok', 'failed', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped']);
    expect(t.calls.some((c) => c !== 'reconnect' && c.script.includes('apt-get') && c.script.includes('docker-ce'))).toBe(false);
  });
});

describe('line progress', () => {
  it('passes on the lines a script marks as progress (also when split across chunks), not other output', () => {
    const seen: string[] = [];
    const feed = progressLineSplitter((t) => seen.push(t));
    feed('Reading package lists...\ndockhand-progress: waiting for apt-get (pid 7) to rel');
    feed('ease /var/lib/dpkg/lock-frontend (0s)\nsome other line\n');
    expect(seen).toEqual(['waiting for apt-get (pid 7) to release /var/lib/dpkg/lock-frontend (0s)']);
  });

  it('the apply engine reports them as updates of the running step', async () => {
    const plan = planForHost(factsFor('debian-12', 'fresh'), playbooks, { loginUser: 'admin' });
    const t = new ScriptedTransport();
    t.exec = async (_script: string, opts: ExecOptions = {}) => {
      opts.onOutput?.('Reading package lists...\ndockhand-progress: waiting for cloud-init\n', 'stdout');
      return { code: 0, stdout: '', stderr: '' };
    };
    const events: Array<[string, StepStatus, string | undefined]> = [];
    await applyPlan(plan, t, (id, status, detail) => void events.push([id, status, detail]), silentLogger);
    // One update per command run, on the step that ran it; other output is not shown.
    const expected = plan.steps.flatMap((step) => step.commands.map(() => step.id));
    const updates = events.filter(([, status, detail]) => status === 'running' && detail === 'waiting for cloud-init');
    expect(expected.length).toBeGreaterThan(0);
    expect(updates.map(([id]) => id)).toEqual(expected);
    expect(events.some(([, , detail]) => detail?.includes('Reading package lists'))).toBe(false);
  });

  it('the wait-ready script marks its waiting line, quoting a hostile process name', () => {
    const plan = planForHost(
      factsFor('debian-12', 'fresh', (f) => void (f.locks = [{ path: '/var/lib/dpkg/lock-frontend', pid: 42, command: 'a"$(x)`y`' }])),
      playbooks,
    );
    const script = plan.steps.find((s) => s.id === 'wait-ready')!.commands[0]!.script;
    expect(script).toContain('echo "dockhand-progress: waiting for a\\"\\$(x)\\`y\\` (pid 42) to release /var/lib/dpkg/lock-frontend (${waited}s)"');
  });
});

describe('exit codes of a run (fleetExitCode)', () => {
  const connect = new ConnectError('a', 'refused', 'connection refused');
  const command = new CommandError('b', 'x', 1, '');
  const input = new InputError('/etc/docker/daemon.json', 'invalid JSON', { line: 1 });
  it.each([
    [[connect], ExitCode.unreachable],
    [[connect, command], ExitCode.unreachable],
    [[command], ExitCode.hostFailed],
    [[input], ExitCode.dataError],
    [[input, command], ExitCode.hostFailed],
  ])('%#', (errors, code) => {
    const reports = errors.map((error) => ({ outcome: error instanceof ConnectError ? ('unreachable' as const) : ('failed' as const), errorCode: exitCodeOf(error) }));
    expect(fleetExitCode([{ outcome: 'ok' }, ...reports])).toBe(code);
  });
});
