/**
 * The one framing protocol of every script dockhand runs to learn about a host (the facts probe
 * and the doctor's probe, probes/*.sh), and its one parser. The shell side is probes/framing.sh.
 *
 * The output is a sequence of tokens, each ended by a NUL byte. A record is a tag token followed
 * by a fixed number of field tokens:
 *
 *   S  NAME                 a section starts; the records after it belong to it
 *   K  KEY VALUE            a key/value pair
 *   F  PATH STATE HEX       a file: STATE is ok | missing | unreadable; HEX its bytes (od -tx1)
 *   C  NAME HEX RC          a command's stdout (HEX) and exit code; RC `absent`: not installed
 *   D                       the probe reached its end (nothing may follow)
 *
 * Why it cannot be forged: the only separator is NUL, and no value the shell prints raw can hold
 * one (a shell variable, a process argument, an environment value, a user name or a path cannot
 * contain NUL; command substitution drops it). Everything that can (a file, a command's output, a
 * process's argv) goes through `od` and arrives as hex digits and white space only. So no byte
 * sequence on the host can open, close or extend a record. A record seen twice (a section, a key
 * in a section, a file, a command) is tampering or a probe bug, and fails the host: last-one-wins
 * is exactly what an attacker would use.
 */
import { DockhandError, ExitCode } from '../core/errors.js';

export interface FileContent {
  path: string;
  exists: boolean;
  /** Undefined when the file exists but could not be read (or was not gathered). */
  content?: string;
}

export interface CommandOutput {
  /** null when the command is not installed on the host. */
  rc: number | null;
  stdout: string;
}

export interface ProbeSection {
  kv: Record<string, string>;
  files: Record<string, FileContent>;
  commands: Record<string, CommandOutput>;
}

export interface ProbeOutput {
  sections: Record<string, ProbeSection>;
  /** The probe printed its end marker (otherwise the output was cut short). */
  complete: boolean;
}

/** The host's probe output breaks the protocol: forged, corrupted, or not from our script. */
export class ProbeTamperError extends DockhandError {
  readonly host: string;
  constructor(host: string, detail: string, exitCode: ExitCode = ExitCode.hostFailed) {
    super(`${host}: the probe's output is malformed (${detail}); refusing to act on it — something on the host may be forging probe records`, {
      exitCode,
      hint: 'run `dockhand facts` on the host again; if this repeats, look for processes or files planted to mislead dockhand',
    });
    this.host = host;
  }
}

/**
 * A table keyed by host text: no prototype, so a key such as `__proto__` or `constructor` is a key
 * like any other (on `{}` it would set the prototype, or read Object's own members).
 */
const hostKeyed = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

export function emptySection(): ProbeSection {
  return { kv: hostKeyed(), files: hostKeyed(), commands: hostKeyed() };
}

const ARITY: Record<string, number> = { S: 1, K: 2, F: 3, C: 3, D: 0 };
const HEX = /^[0-9a-f\s]*$/;

/** od's `-An -v -tx1` output → the bytes as text (UTF-8; invalid sequences become U+FFFD). */
function decodeHex(hex: string): string | undefined {
  if (!HEX.test(hex)) return undefined;
  const digits = hex.replace(/\s+/g, '');
  if (digits.length % 2) return undefined;
  return Buffer.from(digits, 'hex').toString('utf8');
}

/** Printable, bounded echo of a token for an error message (it is host text). */
const show = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}…` : s).replace(/[^\x20-\x7e]/g, '?');

/**
 * Split framed probe output into sections. Throws ProbeTamperError for anything that is not a
 * well-formed record (unknown tag, bad hex, a repeated record, bytes after the end marker). Output
 * that stops early is not an error here: `complete` is false and the caller decides.
 */
export function splitProbeOutput(text: string, host = 'host', exitCode?: ExitCode): ProbeOutput {
  const fail = (detail: string): never => {
    throw new ProbeTamperError(host, detail, exitCode);
  };
  const tokens = text.split('\0');
  // Everything up to the last NUL is complete tokens; what follows it is a token cut short.
  tokens.pop();
  const sections = hostKeyed<ProbeSection>();
  let current: ProbeSection | undefined;
  let complete = false;
  const section = () => current ?? fail('a record before the first section');
  const once = <T>(table: Record<string, T>, key: string, what: string, value: T) => {
    if (Object.hasOwn(table, key)) fail(`${what} ${show(key)} appears twice`);
    table[key] = value;
  };

  let i = 0;
  while (i < tokens.length) {
    const tag = tokens[i]!;
    if (complete) fail(`data after the end marker: ${show(tag)}`);
    const arity = Object.hasOwn(ARITY, tag) ? ARITY[tag]! : fail(`unknown record ${show(tag)}`);
    if (i + arity >= tokens.length) break; // cut short inside a record
    const f = tokens.slice(i + 1, i + 1 + arity);
    i += 1 + arity;
    switch (tag) {
      case 'S':
        once(sections, f[0]!, 'section', (current = emptySection()));
        break;
      case 'K':
        once(section().kv, f[0]!, 'key', f[1]!);
        break;
      case 'F': {
        const [path, state, hex] = f as [string, string, string];
        if (state !== 'ok' && state !== 'missing' && state !== 'unreadable') fail(`file state ${show(state)}`);
        if (state !== 'ok' && hex !== '') fail(`content for a ${state} file`);
        const content = state === 'ok' ? (decodeHex(hex) ?? fail(`file ${show(path)}: not hex`)) : undefined;
        once(section().files, path, 'file', { path, exists: state !== 'missing', ...(content !== undefined ? { content } : {}) });
        break;
      }
      case 'C': {
        const [name, hex, rc] = f as [string, string, string];
        if (rc !== 'absent' && !/^\d{1,3}$/.test(rc)) fail(`command ${show(name)}: exit code ${show(rc)}`);
        const stdout = decodeHex(hex) ?? fail(`command ${show(name)}: not hex`);
        if (rc === 'absent' && stdout !== '') fail(`output for an absent command`);
        once(section().commands, name, 'command', { rc: rc === 'absent' ? null : Number(rc), stdout });
        break;
      }
      case 'D':
        complete = true;
        break;
    }
  }
  return { sections, complete };
}

export function sectionOf(out: ProbeOutput, name: string): ProbeSection {
  return out.sections[name] ?? emptySection();
}

/** stdout of a command that ran (any exit code), or undefined when absent / not run. */
export function stdoutOf(s: ProbeSection, name: string): string | undefined {
  const c = s.commands[name];
  return c && c.rc !== null ? c.stdout : undefined;
}

/** A command's output as lines, without the empty one after a final newline. */
export function linesOf(s: ProbeSection, name: string): string[] {
  const out = stdoutOf(s, name);
  if (!out) return [];
  return out.replace(/\n$/, '').split('\n');
}
