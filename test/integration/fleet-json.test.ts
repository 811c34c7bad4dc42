/** `--json`: the demo (real runner) prints only JSON events on stdout, one per line, summary last. */
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const demo = fileURLToPath(new URL('../fixtures/fleet/demo-progress.mjs', import.meta.url));

describe('fleet --json events', () => {
  it('step events with host, step, status and duration; host results; one summary', async () => {
    const { stdout, code } = await new Promise<{ stdout: string; code: number }>((resolve) => {
      execFile(process.execPath, [demo, '--json'], { env: { ...process.env, DEMO_STEP_MS: '20' } }, (err, out) =>
        resolve({ stdout: out, code: err ? Number((err as { code?: number }).code) : 0 }),
      );
    });
    expect(code).toBe(4);
    const events = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.filter((e) => e.event === 'step' && e.status !== 'running')).toHaveLength(5 + 5 + 5 + 3);
    expect(events).toContainEqual(
      expect.objectContaining({ event: 'step', host: 'db-5', step: 'packages', status: 'failed', durationMs: expect.any(Number), detail: 'E: Unable to locate package docker-ce' }),
    );
    expect(events).toContainEqual(expect.objectContaining({ event: 'host', host: 'unreach-4', outcome: 'unreachable' }));
    const summary = events.at(-1)!;
    expect(summary).toMatchObject({ event: 'summary', exitCode: 4 });
    expect((summary.hosts as Array<{ host: string; outcome: string }>).map((h) => [h.host, h.outcome])).toEqual([
      ['web-1', 'changed'],
      ['web-2', 'changed'],
      ['web-3', 'changed'],
      ['unreach-4', 'unreachable'],
      ['db-5', 'failed'],
    ]);
    for (const e of events) expect(typeof e.time).toBe('string');
  });
});
