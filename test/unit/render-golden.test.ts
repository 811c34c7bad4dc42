/**
 * Golden renders: for every supported release, every format, with the default options and with a
 * pinned Docker version (where the release's package manager can pin). `UPDATE_GOLDEN=1` rewrites
 * them — review the diff. The same step tasks make these and the plans (test/golden/plans).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderArtifact, wrapScript, type RenderArgs } from '../../src/commands/render-run.js';
import { FORMATS } from '../../src/render/formats.js';
import { BODY_MARK } from '../../src/render/script.js';
import { hostTarget } from '../../src/render/target.js';
import { createHash } from 'node:crypto';
import type { DaemonOptions } from '../../src/plan/daemon-settings.js';
import { EVERY_KIND_OF_SETTING } from '../fixtures/daemon-settings.js';
import { factsFor, playbooks } from '../fixtures/facts/build.js';
import { RELEASES } from '../fixtures/facts/releases.js';

const DIR = fileURLToPath(new URL('../golden/render/', import.meta.url));
const EXT = { script: 'sh', 'cloud-init': 'cloud-config', ssm: 'ssm.yaml', 'image-builder': 'component.yaml' } as const;

function checkGolden(file: string, actual: string) {
  const path = `${DIR}${file}`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(DIR, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`missing golden file ${path}: run with UPDATE_GOLDEN=1 and review the new file`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

const VARIANTS = [
  { name: 'default', options: {} as { dockerVersion?: string; users?: string[] } },
  { name: 'pinned', options: { dockerVersion: '28.1', users: ['admin'] } },
];

type Options = { dockerVersion?: string; users?: string[]; daemon?: DaemonOptions };

function rendered(release: string, format: (typeof FORMATS)[number], options: Options): string | undefined {
  const facts = factsFor(release, 'fresh');
  let target;
  try {
    target = hostTarget(facts, playbooks, options);
  } catch (e) {
    // A pinned version on a release whose package manager cannot pin is refused, as `plan` refuses it.
    if (options.dockerVersion && /docker version/.test((e as Error).message)) return undefined;
    throw e;
  }
  const argv = { format, 'docker-version': options.dockerVersion, users: options.users } as RenderArgs;
  return renderArtifact(argv, target, []);
}

/**
 * A wrapper format around a stub script: the script itself has its own golden file, and the
 * invariants below check that every format carries it byte for byte (13 MB of copies otherwise).
 */
function renderedWrapper(release: string, variant: string, format: (typeof FORMATS)[number], options: Options): string | undefined {
  const script = rendered(release, 'script', options);
  if (script === undefined) return undefined;
  const bodySha256 = /^# body-sha256: ([0-9a-f]{64})$/m.exec(script)![1]!;
  const stub = { text: `#!/bin/sh\n# golden stub: the script is ${release}.${variant}.sh (body-sha256 ${bodySha256})\n`, bodySha256 };
  return wrapScript({ format }, hostTarget(factsFor(release, 'fresh'), playbooks, options), stub, []);
}

/** The script a format carries (base64 in SSM and Image Builder commands), decoded. */
function embedded(commands: string[]): string {
  const start = commands.findIndex((l) => l.startsWith('base64 -d > '));
  const end = commands.indexOf('DOCKHAND_SCRIPT_END', start);
  return Buffer.from(commands.slice(start + 1, end).join(''), 'base64').toString();
}

describe.each(RELEASES)('%s', (release) => {
  it.each(VARIANTS.flatMap((v) => FORMATS.map((f) => ({ ...v, format: f }))))('$format, $name options', ({ name, options, format }) => {
    const text = format === 'script' ? rendered(release, format, options) : renderedWrapper(release, name, format, options);
    if (text === undefined) {
      expect(() => hostTarget(factsFor(release, 'fresh'), playbooks, options)).toThrow(/docker version 28\.1 needs the docker package source on an apt or dnf host/);
      return;
    }
    checkGolden(`${release}.${name}.${EXT[format]}`, text);
  });
});

/** The daemon settings (issue 11's options) carried by the script: a systemd release and an OpenRC one. */
const SETTINGS = EVERY_KIND_OF_SETTING;
describe.each(['debian-12', 'alpine-3.22'])('%s with daemon settings', (release) => {
  it.each(['script', 'cloud-init'] as const)('%s', (format) => {
    const options = { users: ['admin'], daemon: SETTINGS };
    const text = format === 'script' ? rendered(release, format, options)! : renderedWrapper(release, 'settings', format, options)!;
    checkGolden(`${release}.settings.${EXT[format]}`, text);
  });
});

describe('format invariants (Debian 12)', () => {
  const script = rendered('debian-12', 'script', { users: ['admin'] })!;
  it('the header pins the body: its sha256 is that of everything after the body mark', () => {
    const body = script.slice(script.indexOf(`${BODY_MARK}\n`) + BODY_MARK.length + 1);
    const sha = /^# body-sha256: ([0-9a-f]{64})$/m.exec(script)![1];
    expect(createHash('sha256').update(body).digest('hex')).toBe(sha);
  });

  it('the SSM document follows schema 2.2: ENV_VAR parameters with patterns, a Linux precondition, string timeout', () => {
    const doc = parse(rendered('debian-12', 'ssm', { users: ['admin'] })!);
    expect(doc.schemaVersion).toBe('2.2');
    expect(Object.keys(doc).sort()).toEqual(['description', 'mainSteps', 'parameters', 'schemaVersion']);
    for (const p of Object.values<Record<string, unknown>>(doc.parameters)) {
      expect(p).toMatchObject({ type: 'String', interpolationType: 'ENV_VAR' });
      expect(() => new RegExp(p.allowedPattern as string)).not.toThrow();
      expect(new RegExp(p.allowedPattern as string).test(p.default as string)).toBe(true);
    }
    const users = new RegExp(doc.parameters.users.allowedPattern);
    expect(['admin', 'admin,ec2-user', ''].every((v) => users.test(v))).toBe(true);
    expect(['a;b', '$(id)', 'a b', 'a`id`', 'a\nb', '-rf'].some((v) => users.test(v))).toBe(false);
    const [step] = doc.mainSteps;
    expect(step).toMatchObject({ action: 'aws:runShellScript', precondition: { StringEquals: ['platformType', 'Linux'] } });
    expect(typeof step.inputs.timeoutSeconds).toBe('string');
    // Parameters reach the commands only as environment variables, and nothing in them reads as {{ }} interpolation.
    expect(step.inputs.runCommand.join('\n')).not.toMatch(/\{\{/);
    expect(embedded(step.inputs.runCommand)).toBe(script);
  });

  it('the Image Builder component: schemaVersion 1.0, build installs, validate and test check', () => {
    const text = rendered('debian-12', 'image-builder', { users: ['admin'] })!;
    expect(text).toMatch(/^schemaVersion: 1\.0$/m);
    const doc = parse(text);
    expect(doc.phases.map((p: { name: string }) => p.name)).toEqual(['build', 'validate', 'test']);
    for (const phase of doc.phases) {
      expect(phase.steps[0].action).toBe('ExecuteBash');
      expect(embedded(phase.steps[0].inputs.commands)).toBe(script);
      expect(phase.steps[0].inputs.commands.join('\n')).not.toMatch(/\{\{/);
    }
    expect(doc.phases[1].steps[0].inputs.commands.at(-1)).toMatch(/--check$/);
  });

  it('cloud-init: the group as a system group in bootcmd (before users_groups), the script run in runcmd', () => {
    const text = rendered('debian-12', 'cloud-init', { users: ['admin'] })!;
    expect(text.split('\n', 1)[0]).toBe('#cloud-config');
    const doc = parse(text);
    expect(doc.bootcmd[0].join(' ')).toContain('groupadd --system docker');
    expect(doc.write_files[0].content).toBe(script);
    expect(doc.runcmd[0]).toEqual(['sh', '/var/lib/dockhand/converge.sh', '--from-cloud-init']);
  });
});
