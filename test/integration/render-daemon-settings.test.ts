/**
 * The rendered script's daemon.json state test agrees with the plan, with the daemon settings (issue
 * 11's options): the script's own functions (dh_wants + dh_daemon_json, as rendered for the target,
 * run by the host's awk with the engine the facts name answering `dockerd --version`) judge a file
 * converged exactly when the plan does; and the file the script writes is one the plan calls
 * converged (a host converged by the script: `plan` reports no daemon.json change).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Facts } from '../../src/facts/types.js';
import { makeContext, type PlanOptions } from '../../src/plan/context.js';
import type { DaemonOptions } from '../../src/plan/daemon-settings.js';
import { storageHelpers, storageWork } from '../../src/plan/steps/storage.js';
import { selectPlaybook } from '../../src/playbook/select.js';
import { EVERY_KIND_OF_SETTING } from '../fixtures/daemon-settings.js';
import { factsFor, playbooks } from '../fixtures/facts/build.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dockhand-render-settings-'));
  mkdirSync(join(dir, 'bin'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SETTINGS = EVERY_KIND_OF_SETTING;

function withDaemonJson(content: string | undefined, engine: string): Facts {
  return factsFor('debian-12', 'converged', (f) => {
    f.daemonJson = content === undefined ? { path: '/etc/docker/daemon.json', exists: false } : { path: '/etc/docker/daemon.json', exists: true, content };
    f.versions.engine = engine;
  });
}

/** The script's wants and merge for `facts`' target, on `content`: exit 3 (converged) or the merged file. */
function scriptMerge(facts: Facts, options: PlanOptions, content: string | undefined): { code: number | null; out: string; err: string } {
  const ctx = makeContext(facts, selectPlaybook(facts.os, playbooks), options);
  writeFileSync(join(dir, 'bin', 'dockerd'), `#!/bin/sh\necho 'Docker version ${facts.versions.engine}, build 0000000'\n`);
  chmodSync(join(dir, 'bin', 'dockerd'), 0o755);
  const file = join(dir, 'daemon.json');
  rmSync(file, { force: true });
  if (content !== undefined) writeFileSync(file, content);
  const res = spawnSync('sh', ['-c', `${storageHelpers(ctx).join('\n')}\ndh_wants || exit 4\ndh_daemon_json "$1"`, 'sh', file], {
    encoding: 'utf8',
    env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin` },
  });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

const planConverged = (facts: Facts, options: PlanOptions) => storageWork(makeContext(facts, selectPlaybook(facts.os, playbooks), options))?.daemonJson === undefined;

describe.each([
  ['29.1.3', 'an engine with daemon.json proxies and the containerd-store default'],
  ['26.1.5', 'an engine before the containerd-store default'],
])('engine %s (%s)', (engine) => {
  it.each([
    ['no settings', {}],
    ['log rotation, live-restore, a mirror, a proxy, raw keys', SETTINGS],
    ['live-restore off only', { liveRestore: false }],
  ] as Array<[string, DaemonOptions]>)('%s: the state test agrees with the plan; the merged file is converged for both', (_what, daemon) => {
    const options: PlanOptions = { loginUser: 'admin', daemon };
    for (const content of [undefined, '{"storage-driver":"overlay2"}', '{ "log-driver": "local", "log-opts": {"max-size": "1m"}, "debug": true }\n']) {
      const facts = withDaemonJson(content, engine);
      const first = scriptMerge(facts, options, content);
      expect(first.err).toBe('');
      expect(first.code === 3, `${content}: script exit ${first.code}`).toBe(planConverged(facts, options));
      if (first.code === 3) continue;
      expect(first.code).toBe(0);
      // The host after the script: the plan on its facts changes nothing, and the script's test holds.
      const after = withDaemonJson(first.out, engine);
      expect(planConverged(after, options), first.out).toBe(true);
      expect(scriptMerge(after, options, first.out).code).toBe(3);
      // What the plan would have written parses to the same object.
      const planned = storageWork(makeContext(facts, selectPlaybook(facts.os, playbooks), options))!.daemonJson!.content;
      expect(JSON.parse(first.out)).toEqual(JSON.parse(planned));
    }
  });
});

it('the drop-in for engines before daemon.json "proxies": the script writes none into daemon.json, the plan agrees', () => {
  const options: PlanOptions = { loginUser: 'admin', daemon: { proxy: 'http://proxy.example.test:3128' } };
  const facts = withDaemonJson('{"storage-driver":"overlay2"}', '20.10.24');
  expect(scriptMerge(facts, options, '{"storage-driver":"overlay2"}').code).toBe(3);
  expect(planConverged(facts, options)).toBe(true);
  const ctx = makeContext(facts, selectPlaybook(facts.os, playbooks), options);
  const res = spawnSync('sh', ['-c', `${storageHelpers(ctx).join('\n')}\ndh_wants; printf '%s' "$dh_dropin"`], { encoding: 'utf8', env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin` } });
  expect(res.stdout).toBe(storageWork(ctx)!.settings!.proxyDropIn!.content);
  expect(readFileSync(join(dir, 'bin', 'dockerd'), 'utf8')).toContain('20.10.24');
});
