/**
 * Running a script as root (become) and with extra environment — the one place that builds the
 * command both transports run, and the one place that feeds sudo its password.
 *
 * How a become password is fed: sudo runs with `-S -p <random prompt>`; we watch its stderr and write
 * the password only when that exact prompt appears. The inner shell prints a random "begin" marker on
 * stderr as its first act; only after it do we send the caller's stdin. So the password can never be
 * read by the command itself (sudo may not ask at all: NOPASSWD, cached credentials), and we know
 * for certain whether a failure was sudo's or the command's.
 */
import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { clipLine } from '../core/bounded.js';
import { shJoin, shQuote } from '../shell/quote.js';

/** sudo's own stderr before the command starts is a few lines; a host sending more gets its end kept. */
const SUDO_STDERR_KEEP = 16 * 1024;

export interface CommandPlan {
  /** argv to run: `sh -c <script>` or `sudo … -- sh -c <script>`. Never contains the password. */
  argv: string[];
  /** Printed (on stderr) by the inner shell before anything else, when sudo wraps the command or the session is reported. */
  beginMarker?: string;
  /** Whether sudo runs the command (so a missing begin marker means sudo refused). */
  viaSudo?: boolean;
  /** Set when a password is to be fed: the random prompt sudo prints to ask for it. */
  prompt?: string;
  /** Kept out of argv and env; written to stdin only when sudo prints `prompt`. */
  password?: string;
}

export interface PlanOptions {
  sudo?: boolean;
  env?: Record<string, string>;
  /** The login user is already root: sudo is not needed. */
  isRoot: boolean;
  /** Absolute path of sudo on the host (see SUDO_PATHS); default the first of them. */
  sudoPath?: string;
  becomePassword?: string;
  /**
   * Put the command's session id after the begin marker. sshd signals only the shell it started;
   * with the session id a timeout can kill everything the command started (see ssh/transport.ts).
   */
  reportSession?: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Where sudo is looked for, in this order, and nowhere else. The become password goes to this
 * program: a `sudo` found through PATH could be any user's (~/bin/sudo, a writable PATH entry), so
 * PATH is never consulted. /usr/bin/sudo is every distribution's package; /bin/sudo the same file
 * where /usr is not merged; /usr/local/bin/sudo a sudo built from source (root-owned, like /usr/bin).
 */
export const SUDO_PATHS = ['/usr/bin/sudo', '/bin/sudo', '/usr/local/bin/sudo'] as const;

/** Prints `id -u`, then the first of SUDO_PATHS that is executable (no line when none is). */
export const WHO_AND_SUDO_SCRIPT = `id -u; for p in ${SUDO_PATHS.join(' ')}; do if [ -x "$p" ] && [ ! -d "$p" ]; then echo "$p"; break; fi; done`;

/** The sudo path named in WHO_AND_SUDO_SCRIPT's answer — only an exact one of SUDO_PATHS counts. */
export function sudoPathFrom(line: string | undefined): string | undefined {
  return SUDO_PATHS.find((p) => p === line?.trim());
}

/** Environment as `export` lines inside the script: sudo resets env and sshd drops exec env. */
export function withEnv(script: string, env: Record<string, string> | undefined): string {
  const names = Object.keys(env ?? {});
  if (names.length === 0) return script;
  const lines = names.map((name) => {
    if (!ENV_NAME.test(name)) throw new TypeError(`bad environment variable name: ${JSON.stringify(name)}`);
    return `${name}=${shQuote(env![name]!)}; export ${name}`;
  });
  return `${lines.join('\n')}\n${script}`;
}

function randomToken(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString('hex')}`;
}

/** The inner script's first line: the begin marker, and with reportSession the session id (field 6 of /proc/$$/stat). */
function beginLine(marker: string, reportSession: boolean | undefined): string {
  if (!reportSession) return `printf '%s\\n' ${marker} >&2`;
  return `read -r _ _ _ _ _ dockhand_sid _ 2>/dev/null </proc/$$/stat; printf '%s %s\\n' ${marker} "$dockhand_sid" >&2; unset dockhand_sid`;
}

export function planCommand(script: string, opts: PlanOptions): CommandPlan {
  const body = withEnv(script, opts.env);
  const viaSudo = Boolean(opts.sudo && !opts.isRoot);
  if (!viaSudo && !opts.reportSession) return { argv: ['sh', '-c', body] };
  const beginMarker = randomToken('dockhand-begin');
  const inner = `${beginLine(beginMarker, opts.reportSession)}\n${body}`;
  if (!viaSudo) return { argv: ['sh', '-c', inner], beginMarker };
  const sudo = opts.sudoPath ?? SUDO_PATHS[0];
  if (opts.becomePassword === undefined) {
    return { argv: [sudo, '-n', '--', 'sh', '-c', inner], beginMarker, viaSudo };
  }
  // -p: sudo expands %-escapes in prompts; the hex token has none.
  const prompt = `[${randomToken('dockhand-sudo')}] password: `;
  return { argv: [sudo, '-S', '-p', prompt, '--', 'sh', '-c', inner], beginMarker, viaSudo, prompt, password: opts.becomePassword };
}

/** The plan as one command line, for SSH exec (the login shell runs it). */
export function commandLine(plan: CommandPlan): string {
  return shJoin(plan.argv);
}

/** Where a running command's stdin goes; implemented by a child process and by an SSH channel. */
export interface StdinSink {
  write(data: string | Buffer): void;
  end(): void;
}

/**
 * Drives one command's stdin and cleans its stderr according to its plan: answers sudo's prompt once,
 * releases the caller's stdin after the begin marker, and strips prompt and marker from the output.
 */
export class BecomeSession {
  private readonly decoder = new StringDecoder('utf8');
  /** stderr seen before the begin marker: it is sudo's, and may hold a split prompt or marker. */
  private held = '';
  private started: boolean;
  private promptsSeen = 0;
  /** Asked again after the password was taken (see onStderr). */
  private askedForMore = false;
  private stdinDone = false;
  /** All of sudo's own stderr (prompts removed), for the failure message. */
  private sudoStderr = '';
  /** The command's session id on its host, when the plan asked for it. */
  sessionId?: string;

  constructor(
    private readonly plan: CommandPlan,
    private readonly stdin: StdinSink,
    private readonly callerStdin: string | Buffer | undefined,
  ) {
    this.started = plan.beginMarker === undefined;
  }

  /** Call once the process runs. Without sudo, the caller's stdin goes in at once. */
  begin(): void {
    if (this.started) this.sendCallerStdin();
  }

  /** Feed raw stderr; returns the text to pass on as the command's stderr. */
  onStderr(chunk: Buffer | string): string {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (this.started) return text;
    this.held += text;
    // Bounded: only the end can still hold (the start of) our prompt or marker.
    if (this.held.length > SUDO_STDERR_KEEP) this.held = this.held.slice(-SUDO_STDERR_KEEP);
    const { prompt, beginMarker } = this.plan;
    if (prompt) {
      let at: number;
      while ((at = this.held.indexOf(prompt)) >= 0) {
        const before = this.held.slice(0, at);
        this.held = before + this.held.slice(at + prompt.length);
        this.promptsSeen++;
        // sudo says "Sorry, try again." before asking again for a wrong password. Asked again without
        // it, the password was taken and PAM asks for more (a 2FA code): `-p` replaces every PAM
        // prompt unless sudoers disables passprompt_override, so it looks like our prompt again.
        if (this.promptsSeen === 2 && !/Sorry, try again|incorrect password/i.test(this.sudoStderr + before)) this.askedForMore = true;
        if (this.promptsSeen === 1) this.stdin.write(`${this.plan.password}\n`);
        // Asked again: the password was wrong. EOF makes sudo give up instead of waiting.
        else this.endStdin();
      }
    }
    const m = this.held.indexOf(beginMarker!);
    const eol = m < 0 ? -1 : this.held.indexOf('\n', m);
    if (eol < 0) return '';
    const before = this.held.slice(0, m);
    const after = this.held.slice(eol + 1);
    const sid = this.held.slice(m + beginMarker!.length, eol).trim();
    if (/^[0-9]+$/.test(sid)) this.sessionId = sid;
    this.sudoStderr = (this.sudoStderr + before).slice(-SUDO_STDERR_KEEP);
    this.held = '';
    this.started = true;
    this.sendCallerStdin();
    // With -S sudo ends its prompt line by itself once it read the password; that newline is noise.
    return (this.plan.prompt ? before.replace(/^\n/, '') : before) + after;
  }

  /** Call when the process ended; returns stderr still held back. */
  finish(): string {
    const rest = this.onStderr(this.decoder.end());
    const held = this.held;
    this.sudoStderr = (this.sudoStderr + held).slice(-SUDO_STDERR_KEEP);
    this.held = '';
    this.endStdin();
    return rest + held;
  }

  /**
   * The unfinished last line of sudo's stderr when it is neither our prompt nor our marker (nor the
   * start of one): sudo or PAM waiting for an answer we do not have. undefined otherwise.
   */
  foreignPrompt(): string | undefined {
    if (this.started) return undefined;
    const last = this.held.slice(this.held.lastIndexOf('\n') + 1);
    if (last.trim() === '') return undefined;
    const { prompt, beginMarker } = this.plan;
    if (prompt?.startsWith(last) || beginMarker?.startsWith(last) || (beginMarker && last.includes(beginMarker))) return undefined;
    return last;
  }

  /** Give up on this command before it started: EOF on stdin makes `sudo -S` stop asking. */
  abandon(): void {
    this.endStdin();
  }

  /** Whether the command itself ran (false: sudo refused or failed before it). */
  get commandStarted(): boolean {
    return this.started;
  }

  /**
   * Why sudo did not run the command, in words for the user; undefined when it did run (or no sudo).
   * Call after finish().
   */
  becomeFailure(): string | undefined {
    if (this.started || !this.plan.viaSudo) return undefined;
    if (this.askedForMore) {
      return 'sudo asked for something dockhand cannot answer: a second answer after the password (a 2FA code?); allow this user sudo without it';
    }
    return describeSudoFailure(this.sudoStderr, this.promptsSeen, this.plan.password !== undefined);
  }

  private sendCallerStdin(): void {
    if (this.stdinDone) return;
    if (this.callerStdin !== undefined && this.callerStdin.length > 0) this.stdin.write(this.callerStdin);
    this.endStdin();
  }

  private endStdin(): void {
    if (this.stdinDone) return;
    this.stdinDone = true;
    this.stdin.end();
  }
}

/** sudo's own stderr → a clear message. Pure, for unit tests. */
export function describeSudoFailure(stderr: string, promptsSeen: number, hadPassword: boolean): string {
  const said = stderr
    .trim()
    .split('\n')
    .filter(Boolean)
    .slice(-3)
    .map((l) => clipLine(l, 200))
    .join(' / ');
  const tail = said ? ` (sudo said: ${said})` : '';
  if (/incorrect password|Sorry, try again/i.test(stderr) || promptsSeen > 1) {
    return `sudo rejected the become password${tail}`;
  }
  if (/a password is required|a terminal is required|no askpass program/i.test(stderr)) {
    return hadPassword
      ? `sudo needs a password but did not take the one given${tail}`
      : `sudo needs a password for this user and none was given (use --ask-become-pass)${tail}`;
  }
  if (/must have a tty|requiretty/i.test(stderr)) {
    return `sudo on this host requires a TTY (sudoers 'requiretty'); allow this user without it${tail}`;
  }
  if (/not in the sudoers|not allowed to execute|may not run sudo/i.test(stderr)) {
    return `this user may not run commands as root with sudo${tail}`;
  }
  if (/sudo: (command )?not found|sudo: not found/i.test(stderr)) {
    return `sudo is not installed and the login user is not root${tail}`;
  }
  return `sudo failed before running the command${tail}`;
}
