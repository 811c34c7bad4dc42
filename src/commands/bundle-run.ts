/** The work behind `dockhand bundle` (options in bundle.ts): check the flags, make the bundle, say what is in it. */
import { resolve } from 'node:path';
import { ExitCode, UsageError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { jsonText, safeText } from '../core/output.js';
import { dockerVersionProblem, fingerprintProblem, mirrorProblem, releaseNameProblem } from '../core/values.js';
import { loadPlaybooksWhileConnecting } from './provision-run.js';

/** `bundle` flags (declared in bundle.ts). */
export interface BundleArgs {
  os: string;
  'os-version': string;
  arch: string;
  'docker-version'?: string;
  mirror?: string;
  'key-fingerprint'?: string;
  channel?: 'stable' | 'test';
  'distro-mirror'?: string;
  'distro-keyring'?: string;
  output: string;
  json?: boolean;
  verbose?: boolean;
}

export async function runBundle(argv: BundleArgs): Promise<ExitCode> {
  const check = (flag: string, value: string | undefined, rule: (v: string) => string | undefined) => {
    const problem = value === undefined ? undefined : rule(value);
    if (problem) throw new UsageError(`--${flag}: ${problem}`);
  };
  check('os', argv.os, releaseNameProblem);
  check('os-version', argv['os-version'], (v) => (/^[0-9][0-9.]{0,15}$/.test(v) ? undefined : 'not a VERSION_ID like 12 or 24.04'));
  check('arch', argv.arch, (v) => (/^[a-z0-9]{2,16}$/.test(v) ? undefined : 'not a dpkg architecture like amd64'));
  check('docker-version', argv['docker-version'], dockerVersionProblem);
  check('mirror', argv.mirror, mirrorProblem);
  check('distro-mirror', argv['distro-mirror'], mirrorProblem);
  check('key-fingerprint', argv['key-fingerprint'], fingerprintProblem);
  const logger = createLogger({ verbose: argv.verbose });
  const { makeBundle } = await import('../bundle/make.js');
  const result = await makeBundle(
    {
      os: argv.os,
      osVersion: argv['os-version'],
      arch: argv.arch,
      dockerVersion: argv['docker-version'],
      mirror: argv.mirror,
      keyFingerprint: argv['key-fingerprint'],
      channel: argv.channel,
      distroMirror: argv['distro-mirror'],
      distroKeyring: argv['distro-keyring'],
      out: resolve(argv.output),
      log: (line) => logger.info(line),
    },
    await loadPlaybooksWhileConnecting(),
  );
  const m = result.manifest;
  if (argv.json) {
    process.stdout.write(`${jsonText({ event: 'bundle', file: result.file, bytes: result.bytes, manifest: m })}\n`);
  } else {
    const lines = [
      `${result.file}: ${m.os.id} ${m.os.versionId} (${m.os.codename}) ${m.arch}, ${m.packages.length} packages, ${(result.bytes / 1024 / 1024).toFixed(1)} MiB`,
      `  installs: ${m.install.join(', ')}${m.dockerVersion ? ` at ${m.dockerVersion} (held)` : ''}`,
      ...m.packages.map((p) => `  ${p.package} ${p.version} ${p.sha256}`),
    ];
    process.stdout.write(safeText(`${lines.join('\n')}\n`));
  }
  return ExitCode.ok;
}
