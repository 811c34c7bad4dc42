import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { runFleetCommand } from '../../src/fleet/command.js';
import { PlainProgress } from '../../src/fleet/progress.js';
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
        progress: new PlainProgress(err, out, () => 0),
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
});
