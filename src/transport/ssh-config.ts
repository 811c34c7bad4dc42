/**
 * The user's OpenSSH configuration, as `ssh -G <host>` prints it (Include, Match, Host blocks and
 * defaults already resolved by OpenSSH itself, without connecting). ssh2 reads no config on its own.
 * `parseSshG` is pure and fixture-tested; `resolveSshConfig` runs the binary when it exists.
 */
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';

export interface SshConfig {
  hostname?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  identitiesOnly: boolean;
  /** Comma-separated jump chain as configured; undefined for `none`/absent. */
  proxyJump?: string;
  /** `none` disables the agent; otherwise a socket path (or SSH_AUTH_SOCK). */
  identityAgent?: string;
  connectTimeoutSec?: number;
  serverAliveIntervalSec?: number;
  /** StrictHostKeyChecking, normalised (`ssh -G` prints true/false; a config may say yes/no/off). */
  strictHostKeyChecking?: 'yes' | 'no' | 'accept-new' | 'ask';
  /** UserKnownHostsFile, paths expanded; `none` gives []. `ssh -G` always prints it (default included). */
  userKnownHostsFiles?: string[];
}

const STRICT: Record<string, SshConfig['strictHostKeyChecking']> = {
  yes: 'yes',
  true: 'yes',
  no: 'no',
  false: 'no',
  off: 'no',
  'accept-new': 'accept-new',
  ask: 'ask',
};

/** Expand `~` and the few tokens that `ssh -G` leaves in paths. */
export function expandPath(path: string, ctx: { home: string; user?: string; host?: string }): string {
  let p = path.startsWith('~/') || path === '~' ? ctx.home + path.slice(1) : path;
  p = p.replace(/%(.)/g, (all, c: string) => {
    if (c === 'd') return ctx.home;
    if (c === 'u' && ctx.user) return ctx.user;
    if ((c === 'h' || c === 'n') && ctx.host) return ctx.host;
    if (c === '%') return '%';
    return all;
  });
  return p;
}

export function parseSshG(output: string, home = homedir()): SshConfig {
  const cfg: SshConfig = { identityFiles: [], identitiesOnly: false };
  const values = new Map<string, string>();
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const sp = line.indexOf(' ');
    const key = (sp < 0 ? line : line.slice(0, sp)).toLowerCase();
    const value = sp < 0 ? '' : line.slice(sp + 1).trim();
    if (key === 'identityfile') cfg.identityFiles.push(value);
    else if (!values.has(key)) values.set(key, value);
  }
  cfg.hostname = values.get('hostname') || undefined;
  cfg.user = values.get('user') || undefined;
  const port = Number(values.get('port'));
  if (Number.isInteger(port) && port > 0 && port < 65536) cfg.port = port;
  cfg.identitiesOnly = values.get('identitiesonly') === 'yes' || values.get('identitiesonly') === 'true';
  const jump = values.get('proxyjump');
  if (jump && jump !== 'none') cfg.proxyJump = jump;
  const agent = values.get('identityagent');
  if (agent) cfg.identityAgent = agent;
  const ct = Number(values.get('connecttimeout'));
  if (Number.isFinite(ct) && ct > 0) cfg.connectTimeoutSec = ct;
  const sai = Number(values.get('serveraliveinterval'));
  if (Number.isFinite(sai) && sai > 0) cfg.serverAliveIntervalSec = sai;
  cfg.strictHostKeyChecking = STRICT[values.get('stricthostkeychecking')?.toLowerCase() ?? ''];
  const ctx = { home, user: cfg.user, host: cfg.hostname };
  cfg.identityFiles = cfg.identityFiles.map((f) => expandPath(f, ctx));
  const known = values.get('userknownhostsfile');
  if (known !== undefined) cfg.userKnownHostsFiles = known === 'none' ? [] : known.split(/\s+/).filter(Boolean).map((f) => expandPath(f, ctx));
  if (cfg.identityAgent && cfg.identityAgent !== 'none' && cfg.identityAgent !== 'SSH_AUTH_SOCK') {
    cfg.identityAgent = expandPath(cfg.identityAgent, ctx);
  }
  return cfg;
}

/** Keys OpenSSH tries when nothing is configured (those that exist are used). */
export function defaultIdentityFiles(home = homedir()): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((n) => join(home, '.ssh', n));
}

/**
 * Run `ssh -G` for a host alias. Returns undefined when the ssh binary is missing or fails
 * (then only command-line values and default keys are used) — unless a config file was named
 * (`--ssh-config`, inventory `ssh_config`): then the user's hosts are defined only there, and going
 * on without it would connect to the bare alias (a DNS look-up of a name that means nothing), so
 * it is an input error naming the file.
 */
export function resolveSshConfig(host: string, configFile?: string, user?: string, port?: number): Promise<SshConfig | undefined> {
  // User and port go in too: `Match user`/`Match localport`-style rules depend on them, as with ssh.
  const args = [
    ...(configFile ? ['-F', configFile] : []),
    ...(user ? ['-l', user] : []),
    ...(port ? ['-p', String(port)] : []),
    '-G',
    '--',
    host,
  ];
  return new Promise((resolve, reject) => {
    execFile('ssh', args, { timeout: 10_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (!err) resolve(parseSshG(stdout));
      else if (!configFile) resolve(undefined);
      else reject(new InputError(configFile, sshGFailure(err as NodeJS.ErrnoException, String(stderr))));
    });
  });
}

/** Why `ssh -F FILE -G` failed, in one printable line (ssh's own message, control characters stripped). */
function sshGFailure(err: NodeJS.ErrnoException, stderr: string): string {
  if (err.code === 'ENOENT') return 'cannot be read without the OpenSSH client (ssh not found on PATH)';
  const said = stderr
    .split('\n')
    .map((l) => l.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim())
    .filter(Boolean)
    .slice(0, 3)
    .join('; ')
    .slice(0, 400);
  return `ssh -G rejected it${said ? `: ${said}` : ''}`;
}
