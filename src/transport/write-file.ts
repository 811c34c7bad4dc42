/**
 * Atomic file writes as one shell script, shared by both transports (with or without sudo): the
 * content arrives on stdin, goes to a temp file in the target's directory, gets its mode and owner,
 * and is renamed over the target. A reader never sees a half-written file; on failure the temp goes.
 */
import { CommandError } from '../core/errors.js';
import { shQuote } from '../shell/quote.js';
import type { ExecOptions, ExecResult, WriteFileOptions } from './types.js';

export function writeFileScript(path: string, opts: WriteFileOptions = {}): string {
  if (!path.startsWith('/')) throw new TypeError(`writeFile needs an absolute path, got ${JSON.stringify(path)}`);
  const slash = path.lastIndexOf('/');
  const dir = path.slice(0, slash) || '/';
  const base = path.slice(slash + 1);
  if (base === '') throw new TypeError(`writeFile needs a file path, got ${JSON.stringify(path)}`);
  const mode = (opts.mode ?? 0o644).toString(8);
  const template = `${dir === '/' ? '' : dir}/.${base}.dockhand.XXXXXX`;
  const steps = [`cat > "$tmp"`, `chmod ${mode} "$tmp"`];
  if (opts.owner) steps.push(`chown ${shQuote(opts.owner)} "$tmp"`);
  steps.push(`mv -f "$tmp" ${shQuote(path)}`);
  return [
    `tmp=$(mktemp ${shQuote(template)}) || exit 1`,
    `${steps.join(' && ')} || { rc=$?; rm -f "$tmp"; exit $rc; }`,
  ].join('\n');
}

type Exec = (script: string, opts: ExecOptions) => Promise<ExecResult>;

export async function writeFileVia(exec: Exec, host: string, path: string, content: string | Buffer, opts: WriteFileOptions = {}): Promise<void> {
  const script = writeFileScript(path, opts);
  const res = await exec(script, { stdin: content, sudo: opts.sudo });
  if (res.code !== 0) {
    throw new CommandError(host, `write ${path}`, res.code, res.stderr + res.stdout);
  }
}
