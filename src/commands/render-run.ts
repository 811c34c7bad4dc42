/**
 * The work behind `dockhand render` (options in render.ts). Every flag is checked before any host is
 * resolved or connected; a host target is read (facts only, nothing changed), and all hosts named
 * must be the same target, since one artifact runs on all of them.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, UsageError } from '../core/errors.js';
import { packageRoot } from '../core/paths.js';
import { gatherFacts } from '../facts/gather.js';
import type { Facts } from '../facts/types.js';
import { runFleetCommand } from '../fleet/command.js';
import { osLabel, planOptionsFor } from '../plan/host-options.js';
import type { DaemonOptions } from '../plan/daemon-settings.js';
import { redactUrl, urlCredentials } from '../core/daemon-values.js';
import { loadPlaybooks } from '../playbook/load.js';
import { cloudConfig, cloudInitMime, imageBuilderComponent, ssmCommands, ssmDocument, type RenderFormat } from '../render/formats.js';
import { renderScript, type RenderedScript } from '../render/script.js';
import { hostTarget, namedTarget, type RenderTarget } from '../render/target.js';
import { buildContext, type GlobalArgs } from './context.js';
import { flagOptions, type ProvisionArgs } from './provision-run.js';

export interface RenderArgs extends GlobalArgs, Omit<ProvisionArgs, 'targets' | 'contexts' | 'allow-storage-switch'> {
  format: RenderFormat;
  'os-version'?: string;
  arch?: string;
  with?: string[];
  output?: string;
}

const version: string = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;

/** The options as the header shows them (values as given; shell-safe because checked). */
function optionWords(argv: RenderArgs, target: RenderTarget): string[] {
  // Not --format: every format carries the same script, byte for byte.
  const words: string[] = [];
  const add = (flag: string, v: string | undefined) => v !== undefined && words.push(`--${flag} ${v}`);
  add('os', target.identity.id);
  add('os-version', target.identity.version);
  add('arch', target.identity.machine);
  add('source', argv.source);
  add('docker-version', argv['docker-version']);
  add('mirror', argv.mirror);
  add('channel', argv.channel);
  add('key-fingerprint', argv['key-fingerprint']);
  if (argv.users?.length) words.push(`--users ${argv.users.join(',')}`);
  // The daemon settings as the target has them (flags, or a host's inventory `daemon:`); a proxy's
  // password never reaches the header (the script body carries the proxy as given).
  const d = target.ctx.daemon;
  for (const [k, v] of Object.entries(d.settings ?? {})) words.push(`--daemon-opt ${k}=${JSON.stringify(v)}`);
  add('log-max-size', d.logMaxSize);
  add('log-max-file', d.logMaxFile?.toString());
  if (d.liveRestore !== undefined) words.push(d.liveRestore ? '--live-restore' : '--no-live-restore');
  for (const m of d.registryMirrors ?? []) words.push(`--registry-mirror ${m}`);
  add('proxy', d.proxy === undefined ? undefined : redactUrl(d.proxy));
  add('no-proxy', d.noProxy);
  add('image-store', d.imageStore);
  return words;
}

/** A URL with user:password anywhere in the daemon settings (the proxy, a --daemon-opt value). */
function carriesCredentials(daemon: DaemonOptions): boolean {
  const urls: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') urls.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(daemon);
  return urls.some((u) => urlCredentials(u).length > 0);
}

/**
 * A data root move (dockerd's data copied to a new root while it is stopped) is `up`'s to make, with
 * the facts of the host in hand: a script rendered in advance must not do it blind.
 */
export function refuseDataMove(daemon: DaemonOptions | undefined, where: string): void {
  if (daemon?.dataRoot === undefined && daemon?.settings?.['data-root'] === undefined) return;
  throw new UsageError(
    `render: ${where} sets the data root (data-root): a rendered script does not move Docker's data`,
    'leave --data-root (and data-root in --daemon-opt or the inventory) out of render; set it on the hosts with `dockhand up --data-root DIR`, which checks and moves what the old root holds',
  );
}

export function renderArtifact(argv: RenderArgs, target: RenderTarget, withFiles: Array<{ file: string; text: string }>): string {
  refuseDataMove(target.ctx.daemon, 'the target');
  return wrapScript(argv, target, renderScript(target, { version, options: optionWords(argv, target) }), withFiles);
}

/** The script as the format carries it. */
export function wrapScript(argv: Pick<RenderArgs, 'format' | 'output'>, target: RenderTarget, script: RenderedScript, withFiles: Array<{ file: string; text: string }>): string {
  switch (argv.format) {
    case 'script':
      return script.text;
    case 'cloud-init':
      return withFiles.length ? cloudInitMime(target, script, version, withFiles) : cloudConfig(target, script, version);
    case 'ssm': {
      const file = argv.output ?? 'dockhand-ssm.yaml';
      return `${ssmDocument(target, script, version)}# Register it, run it across a fleet by tag (rate-controlled), keep it enforced:\n${ssmCommands(target, file).map((l) => `#   ${l}`).join('\n')}\n`;
    }
    case 'image-builder':
      return imageBuilderComponent(target, script, version);
  }
}

export async function runRender(argv: RenderArgs): Promise<ExitCode> {
  const flags = flagOptions({ ...argv, os: undefined });
  refuseDataMove(flags.daemon, 'an option');
  if (argv.with?.length && argv.format !== 'cloud-init') throw new UsageError('--with applies to --format cloud-init only');
  const withFiles = (argv.with ?? []).map((file) => {
    try {
      return { file, text: readFileSync(file, 'utf8') };
    } catch (e) {
      throw new UsageError(`--with ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  });
  const byHost = Boolean(argv.host?.length || argv.inventory);
  if (byHost && (argv['os-version'] || argv.arch)) throw new UsageError('--os-version and --arch name a target; with -H or -i the hosts are the target');
  if (!byHost && !argv.os) throw new UsageError('render needs a target: --os ID --os-version V [--arch A], or hosts (-H, -i)');
  const playbooks = loadPlaybooks();
  let target: RenderTarget;
  if (!byHost) {
    target = namedTarget({ os: argv.os!, osVersion: argv['os-version'], arch: argv.arch }, playbooks, flags);
  } else {
    target = await targetFromHosts(argv, flags, playbooks);
  }
  const text = renderArtifact(argv, target, withFiles);
  // The artifact carries the daemon settings as given, a proxy's password included (the host needs
  // it): written as is, not through the masking every other output gets; a file is then private.
  const secret = carriesCredentials(target.ctx.daemon);
  if (argv.output) {
    const mode = argv.format === 'script' ? (secret ? 0o700 : 0o755) : secret ? 0o600 : 0o644;
    writeFileSync(argv.output, text, { mode });
    chmodSync(argv.output, mode);
    process.stderr.write(`dockhand: wrote ${argv.output} (${argv.format} for ${target.identity.label}, ${target.identity.machine})\n`);
  } else {
    process.stdout.write(text);
  }
  if (secret) process.stderr.write('dockhand: note: the output carries the credentials of a URL in the daemon settings (the proxy): keep it private\n');
  return ExitCode.ok;
}

/** Facts of every named host (read only); they must all be one target. */
async function targetFromHosts(argv: RenderArgs, flags: ReturnType<typeof flagOptions>, playbooks: ReturnType<typeof loadPlaybooks>): Promise<RenderTarget> {
  const ctx = await buildContext({ ...argv, json: false });
  const found = new Map<string, { facts: Facts; options: ReturnType<typeof planOptionsFor> }>();
  const report = await runFleetCommand(
    { ...ctx, logger: ctx.logger },
    async (transport, host, { report, detectedOs }) => {
      report('facts', 'running');
      const facts = await gatherFacts(transport);
      const options = planOptionsFor(host.vars, { ...flags, os: argv.os, codename: argv.codename });
      const os = osLabel(facts, options);
      report('facts', 'ok', os);
      detectedOs(os);
      found.set(host.name, { facts, options });
      return { outcome: 'ok', os };
    },
    // The artifact goes to stdout: the fleet's summary table must not (failures are logged on stderr).
    { exporter: { finish: () => {} } },
  );
  if (report.exitCode !== ExitCode.ok) throw new UsageError(`render: could not read the facts of every host (exit ${report.exitCode})`);
  const targets = [...found.entries()].map(([name, { facts, options }]) => ({ name, t: hostTarget(facts, playbooks, options) }));
  const key = (t: RenderTarget) => `${t.identity.id} ${t.identity.version ?? ''} ${t.identity.machine} ${t.selection.playbook.id} ${t.ctx.source}`;
  const kinds = new Map(targets.map(({ name, t }) => [key(t), name]));
  if (kinds.size > 1) {
    throw new UsageError(
      `render: the hosts are different targets (${[...kinds].map(([k, n]) => `${n}: ${k}`).join('; ')})`,
      'render once per group of like hosts (-i … --limit GROUP), or name the target with --os/--os-version/--arch',
    );
  }
  return targets[0]!.t;
}
