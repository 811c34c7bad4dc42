import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { runFleetCommand } from '../../src/fleet/command.js';
import { JsonExporter } from '../../src/fleet/export/json.js';
import { TableExporter } from '../../src/fleet/export/table.js';
import type { ResultExporter } from '../../src/fleet/export/types.js';
import { createOutput } from '../../src/fleet/output.js';
import { JsonProgress } from '../../src/fleet/progress/json.js';
import { PlainProgress } from '../../src/fleet/progress/plain.js';
import type { HostEntry } from '../../src/inventory/types.js';
import type { Transport } from '../../src/transport/types.js';
import { fleetContext } from '../fixtures/fleet/context.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}
const hosts: HostEntry[] = ['a', 'b'].map((name) => ({ name, spec: { name, kind: 'ssh', host: name }, groups: [], vars: { channel: 'test' } }));
const ctx = fleetContext(hosts, { concurrency: 2 });

describe('runFleetCommand', () => {
  it('opens each host with its spec, hands the task the host entry, always closes, prints the summary', async () => {
    const closed: string[] = [];
    const opened: string[] = [];
    const err = new Capture();
    const out = new Capture();
    const report = await runFleetCommand(
      ctx,
      async (t, host, taskCtx) => {
        taskCtx.logger.info(`working on ${t.name} (${host.vars.channel})`);
        if (host.name === 'b') throw new Error('step exploded');
        return { outcome: 'ok' };
      },
      {
        open: async (spec) => {
          opened.push(spec.name);
          return { name: spec.name, kind: 'ssh', close: async () => void closed.push(spec.name) } as unknown as Transport;
        },
        progress: new PlainProgress(err, () => 0),
        exporter: new TableExporter(out),
      },
    );
    expect(opened.sort()).toEqual(['a', 'b']);
    expect(closed.sort()).toEqual(['a', 'b']);
    expect(report.hosts.map((h) => [h.host, h.outcome, h.error])).toEqual([
      ['a', 'ok', undefined],
      ['b', 'failed', 'step exploded'],
    ]);
    expect(err.text).toMatch(/working on a \(test\)/); // logs go through the progress display
    expect(out.text).toMatch(/^2 hosts: 1 ok, 1 failed in .* \(exit 2\)$/m);
  });

  it('progress only shows progress; the exporter writes each host result and, once at the end, the details and summary', async () => {
    const calls: string[] = [];
    const exporter: ResultExporter = {
      hostFinished: (r) => void calls.push(`exporter host ${r.host} ${JSON.stringify(r.data)}`),
      finish: (r, details) => void calls.push(`exporter finish ${r.hosts.length} hosts, details: ${details?.(r)}`),
    };
    const out = new Capture();
    const progress = new PlainProgress(out, () => 0);
    const stop = progress.stop.bind(progress);
    progress.stop = () => (calls.push('progress stop'), stop());
    await runFleetCommand(ctx, async (_t, host) => ({ outcome: 'ok', data: { name: host.name } }), {
      open: async (spec) => ({ name: spec.name, kind: 'ssh', close: async () => {} }) as unknown as Transport,
      progress,
      exporter,
      details: (r) => r.hosts.map((h) => h.host).join(','),
      afterRun: async () => void calls.push('afterRun'),
    });
    expect(calls.filter((c) => c.startsWith('exporter host')).sort()).toEqual(['exporter host a {"name":"a"}', 'exporter host b {"name":"b"}']);
    expect(calls.slice(-3)).toEqual(['afterRun', 'progress stop', 'exporter finish 2 hosts, details: a,b']);
    // The plain progress said how each host ended, and nothing of the result.
    expect(out.text).toMatch(/a done: ok/);
    expect(out.text).not.toMatch(/HOST|hosts:/);
  });

  it('chooses the progress and the exporter once, from the output format', async () => {
    const json = await createOutput({ hosts: ['a'], format: 'json' });
    expect([json.progress, json.exporter].map((x) => x.constructor)).toEqual([JsonProgress, JsonExporter]);
    const human = await createOutput({ hosts: ['a'], format: 'human' });
    expect(human.exporter).toBeInstanceOf(TableExporter);
    expect(human.progress).not.toBeInstanceOf(JsonProgress);
  });
});
