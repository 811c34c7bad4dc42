/**
 * The script in the engines that run it at scale: cloud-init user-data (first boot), an SSM Command
 * document (Run Command by tag, State Manager for drift), an EC2 Image Builder component (golden
 * images). Every one carries the same rendered script, byte for byte, so its body-sha256 pins it.
 */
import { stringify } from 'yaml';
import { UsageError } from '../core/errors.js';
import { RUNTIME_USER_PATTERN } from '../plan/steps/users.js';
import { shQuote } from '../shell/quote.js';
import type { RenderedScript } from './script.js';
import type { RenderTarget } from './target.js';

export const FORMATS = ['script', 'cloud-init', 'ssm', 'image-builder'] as const;
export type RenderFormat = (typeof FORMATS)[number];

/** Where cloud-init and the other engines put the script on the host. */
export const SCRIPT_PATH = '/var/lib/dockhand/converge.sh';

const yaml = (doc: unknown) => stringify(doc, { lineWidth: 0, blockQuote: 'literal' });

function group(t: RenderTarget): string {
  return t.ctx.step('users')?.group ?? 'docker';
}

/**
 * Lines that write the script to `path`. SSM and Image Builder both read `{{ … }}` in commands as their
 * own variables, and the script holds docker's `{{.Driver}}` format strings: it travels as base64
 * (a quoted here-document, 76 characters a line), decoded by coreutils' or busybox's base64, and its
 * sha256 is checked against the header before it runs.
 */
function writeScriptLines(script: RenderedScript, path: string): string[] {
  const end = 'DOCKHAND_SCRIPT_END';
  const b64 = Buffer.from(script.text).toString('base64').match(/.{1,76}/g) ?? [];
  const dir = path.slice(0, path.lastIndexOf('/'));
  const p = shQuote(path);
  return [
    `mkdir -p ${shQuote(dir)}`,
    `base64 -d > ${p} <<'${end}'`,
    ...b64,
    end,
    `chmod 0700 ${p}`,
    `[ "$(sed '1,/^# --- body ---$/d' ${p} | sha256sum | cut -d ' ' -f 1)" = ${script.bodySha256} ] || { echo 'the embedded script does not match its body-sha256' >&2; exit 1; }`,
  ];
}

/**
 * #cloud-config in the modules' own order: bootcmd (init stage, before users_groups) makes the docker
 * group a system group, so a `users:` entry naming it (here or in the user's own data) finds it;
 * write_files (init) places the script; runcmd runs it in the final stage, after cloud-init's own
 * package installs. The script installs Docker's packages itself: it must verify the signing key's
 * fingerprint before trusting the repository, which apt_configure cannot do with a downloaded key.
 */
export function cloudConfig(t: RenderTarget, script: RenderedScript, version: string): string {
  const g = group(t);
  const doc = {
    bootcmd: [['sh', '-c', `grep -q '^${g}:' /etc/group || ${t.ctx.pm.createSystemGroup(g)}`]],
    write_files: [{ path: SCRIPT_PATH, owner: 'root:root', permissions: '0700', content: script.text }],
    runcmd: [['sh', SCRIPT_PATH, '--from-cloud-init']],
  };
  return [
    '#cloud-config',
    `# dockhand ${version} render --format cloud-init: Docker for ${t.identity.label}, ${t.identity.machine}`,
    `# the script's body-sha256: ${script.bodySha256}`,
    yaml(doc),
  ].join('\n');
}

/** The MIME type of a user's own user-data part, from its first line (as cloud-init decides). */
function partType(text: string, file: string): string {
  const first = text.split('\n', 1)[0]!.trim();
  if (first.startsWith('#cloud-config')) return 'text/cloud-config';
  if (first.startsWith('#!')) return 'text/x-shellscript';
  if (first.startsWith('#cloud-boothook')) return 'text/cloud-boothook';
  if (first.startsWith('#include')) return 'text/x-include-url';
  throw new UsageError(`--with ${file}: user-data must start with #cloud-config, #! (a script), #cloud-boothook or #include`, 'cloud-init would not know what to do with it');
}

/**
 * MIME multi-part: the user's own part(s) beside ours. Our #cloud-config part appends to lists
 * (merge_how), so the user's bootcmd/runcmd and ours both run.
 */
export function cloudInitMime(t: RenderTarget, script: RenderedScript, version: string, withFiles: Array<{ file: string; text: string }>): string {
  // Deterministic (golden files, pinning): derived from the script's hash; checked against every part.
  const boundary = `dockhand-${script.bodySha256.slice(0, 24)}`;
  const ours = `${cloudConfig(t, script, version)}merge_how:\n  - name: list\n    settings: [append]\n  - name: dict\n    settings: [no_replace, recurse_list]\n`;
  const parts = [
    ...withFiles.map(({ file, text }) => ({ type: partType(text, file), name: file.slice(file.lastIndexOf('/') + 1), text })),
    { type: 'text/cloud-config', name: 'dockhand.cfg', text: ours },
  ];
  for (const p of parts) if (p.text.includes(boundary)) throw new Error('a user-data part contains the MIME boundary');
  const out = [`Content-Type: multipart/mixed; boundary="${boundary}"`, 'MIME-Version: 1.0', ''];
  for (const p of parts) {
    out.push(`--${boundary}`, `Content-Type: ${p.type}; charset="utf-8"`, 'MIME-Version: 1.0', 'Content-Transfer-Encoding: 7bit', `Content-Disposition: attachment; filename="${p.name.replace(/[^A-Za-z0-9._-]/g, '_')}"`, '', p.text.replace(/\n?$/, '\n'));
  }
  out.push(`--${boundary}--`, '');
  return out.join('\n');
}

/** SSM parameters: what a fleet owner varies per run, each held to a pattern the shell re-checks. */
const USERS_PATTERN = `^(${RUNTIME_USER_PATTERN.slice(1, -1)}(,${RUNTIME_USER_PATTERN.slice(1, -1)})*)?$`;

export function ssmDocumentName(t: RenderTarget): string {
  return `dockhand-docker-${t.identity.id}-${t.identity.version ?? 'rolling'}-${t.identity.machine}`.replace(/[^A-Za-z0-9_.-]/g, '-');
}

/**
 * A schema 2.2 Command document. Parameters reach the script as environment variables only
 * (interpolationType ENV_VAR: SSM_users), never pasted into the command text, and the command checks
 * them against the same pattern before use, so a value cannot inject shell even on an agent that
 * ignores allowedPattern. The Docker version is rendered in (it decides the package actions); the
 * parameter states it, and the script refuses a run that asks for another one.
 */
export function ssmDocument(t: RenderTarget, script: RenderedScript, version: string): string {
  const path = `./dockhand-converge-${script.bodySha256.slice(0, 12)}.sh`;
  const rendered = t.ctx.dockerVersion ?? '';
  const doc = {
    schemaVersion: '2.2',
    description: `dockhand ${version}: Docker for ${t.identity.label} (${t.identity.machine}), playbook ${t.selection.playbook.id}, source ${t.ctx.source}; script body-sha256 ${script.bodySha256}`,
    parameters: {
      users: {
        type: 'String',
        description: `Comma-separated users to add to the ${group(t)} group (root-equivalent access), besides those rendered in`,
        default: '',
        allowedPattern: USERS_PATTERN,
        interpolationType: 'ENV_VAR',
      },
      dockerVersion: {
        type: 'String',
        description: rendered ? `The Docker Engine version this document installs and holds (rendered in: ${rendered})` : 'Docker Engine version: this document installs the latest (render again with --docker-version to pin one)',
        default: rendered,
        allowedPattern: rendered ? `^${rendered.replace(/[.+~:]/g, '\\$&')}$` : '^$',
        interpolationType: 'ENV_VAR',
      },
    },
    mainSteps: [
      {
        action: 'aws:runShellScript',
        name: 'dockhandConverge',
        precondition: { StringEquals: ['platformType', 'Linux'] },
        inputs: {
          timeoutSeconds: '3600',
          runCommand: [
            'set -eu',
            // Re-checked here: the value is data, never code.
            `case "\${SSM_users:-}" in *[!a-z0-9_.,-]*) echo 'users: not a comma-separated list of user names' >&2; exit 64 ;; esac`,
            `if [ "\${SSM_dockerVersion:-}" != ${shQuote(rendered)} ]; then echo ${shQuote(`dockerVersion: this document was rendered for ${rendered || 'the latest version'}; render another with --docker-version`)} >&2; exit 64; fi`,
            ...writeScriptLines(script, path),
            `DOCKHAND_USERS="\${SSM_users:-}" sh ${shQuote(path)}`,
          ],
        },
      },
    ],
  };
  return `# dockhand ${version} render --format ssm\n${yaml(doc)}`;
}

/** The aws CLI lines that register the document and run it across a fleet by tag, rate-controlled. */
export function ssmCommands(t: RenderTarget, file: string): string[] {
  const name = ssmDocumentName(t);
  return [
    `aws ssm create-document --name ${name} --document-type Command --document-format YAML --content file://${file}`,
    `aws ssm send-command --document-name ${name} --targets Key=tag:Env,Values=prod --max-concurrency 10% --max-errors 1 --parameters users=ec2-user`,
    `aws ssm create-association --name ${name} --targets Key=tag:Env,Values=prod --schedule-expression 'rate(1 day)' --max-concurrency 10% --max-errors 1`,
  ];
}

/**
 * An Image Builder component: build installs (the script), validate and test run it in --check
 * mode — tests only, then the doctor-equivalent checks (the daemon answers, storage driver overlay2,
 * each user reaches the API from a fresh login) — exit 0 only on a converged, working host.
 */
export function imageBuilderComponent(t: RenderTarget, script: RenderedScript, version: string): string {
  const run = (args: string) => ({ commands: [...writeScriptLines(script, SCRIPT_PATH), `sh ${SCRIPT_PATH}${args}`] });
  const doc = {
    name: ssmDocumentName(t),
    description: `dockhand ${version}: Docker for ${t.identity.label} (${t.identity.machine}); script body-sha256 ${script.bodySha256}`,
    schemaVersion: 1.0,
    phases: [
      { name: 'build', steps: [{ name: 'InstallDocker', action: 'ExecuteBash', inputs: run('') }] },
      { name: 'validate', steps: [{ name: 'DockerConverged', action: 'ExecuteBash', inputs: run(' --check') }] },
      { name: 'test', steps: [{ name: 'DockerWorks', action: 'ExecuteBash', inputs: run(' --check') }] },
    ],
  };
  // Image Builder documents write the schema version as 1.0 (yaml would print the number as 1).
  return `# dockhand ${version} render --format image-builder\n${yaml(doc).replace(/^schemaVersion: 1$/m, 'schemaVersion: 1.0')}`;
}
