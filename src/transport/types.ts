/**
 * The one small interface every way of reaching a host implements (local machine, SSH).
 * Everything above this layer — facts, plans, apply, doctor — is written against it.
 */
export interface ExecOptions {
  /** Run as root: nothing when already root, else `sudo -n` or sudo fed the become password on stdin. */
  sudo?: boolean;
  /** Bytes for the command's stdin. Without it stdin is empty (never a TTY). */
  stdin?: string | Buffer;
  /** Kill the command and fail after this long. Default: the transport's command timeout. */
  timeoutMs?: number;
  /** Extra environment, set inside the command (sshd drops exec env unless AcceptEnv allows it). */
  env?: Record<string, string>;
  /**
   * Characters one stream may produce (default OUTPUT_CAP, src/core/bounded.ts). Past it the command
   * is stopped and exec fails with an OutputLimitError.
   */
  maxOutput?: number;
  /** Called with output as it arrives (progress for long installs). */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

export interface ExecResult {
  /** Exit status; null when the command was killed or the transport saw no exit status (a failure). */
  code: number | null;
  stdout: string;
  stderr: string;
  signal?: string;
  timedOut?: boolean;
}

export interface WriteFileOptions {
  /** Octal file mode, e.g. 0o644. */
  mode?: number;
  /** `user:group` to chown to after writing. */
  owner?: string;
  sudo?: boolean;
}

export interface Transport {
  /** Display name of the host, used in every message about it. */
  readonly name: string;
  readonly kind: 'local' | 'ssh';
  /**
   * The person this run acts for, as the controller knows it (never from the host's output): the
   * SSH login user once connected; locally SUDO_USER when run through sudo, else the process user.
   * Decides the default docker-group user, so it must not be something the host can forge.
   */
  readonly loginUser?: string;
  /**
   * Run a POSIX shell script (`sh -c <script>` on the host). The script is one string; callers build
   * it with `sh`/`shQuote` from src/shell/quote.ts so every argument is quoted for dash.
   */
  exec(script: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Write a file atomically (temp file in the same directory, then rename). */
  writeFile(path: string, content: string | Buffer, opts?: WriteFileOptions): Promise<void>;
  /** Drop and re-open the session so that group changes of the login user take effect. */
  reconnect(): Promise<void>;
  close(): Promise<void>;
  /**
   * Ctrl-C twice: end every command running now (signal it, kill what it started, close its
   * channel) and drop the connection, waiting a little for the kills to land. Resolves to how many
   * of those commands ran as root — they may have been changing the host.
   */
  abort?(): Promise<number>;
  /**
   * A byte stream to a unix socket on the host, opened with the login user's permissions (SSH:
   * OpenSSH's streamlocal forwarding). Lets the doctor speak HTTP to the Docker socket with no
   * docker CLI or curl on the host. Errors carry an errno-style `code` where it can be told.
   */
  openUnixSocket?(path: string): Promise<import('node:stream').Duplex>;
}

// The spec lives in the shared model (src/model/types.ts); re-exported for the transport's users.
export type { TargetSpec } from '../model/types.js';

export type HostKeyPolicy = 'strict' | 'accept-new' | 'off';

export interface ConnectOptions {
  /** `--host-key-policy`; unset: the SSH config's StrictHostKeyChecking (yes, accept-new) or strict. */
  hostKeyPolicy?: HostKeyPolicy;
  /** `--known-hosts`; unset: the SSH config's UserKnownHostsFile, else ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  /** The sudo password, when --ask-become-pass was given. Never logged, never in argv or env. */
  becomePassword?: string;
  /** Use `ssh -G` for the user's OpenSSH config (default true). */
  useSshConfig?: boolean;
  /** `--ssh-config`: read this file instead of ~/.ssh/config for every host (as `ssh -F`). */
  sshConfigFile?: string;
}

/**
 * Connection pacing: run `start` (opening one connection) when every server it reaches allows it —
 * `servers` are `host:port` of each jump host, then the destination, as resolved for the connection
 * (the fleet's StartGate, src/fleet/start-gate.ts).
 */
export type Pace = <T>(servers: readonly string[], start: () => Promise<T>) => Promise<T>;
