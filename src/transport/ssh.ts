/**
 * SSH transport on ssh2: one connection per host (through a ProxyJump chain when configured), reused
 * for every command, with at most a few channels at once (sshd allows 10 sessions per connection).
 *
 * ssh2 reads no OpenSSH config, agent or default keys by itself, so this module gathers them:
 * `ssh -G` for the user's config, SSH_AUTH_SOCK (or IdentityAgent) for the agent, and the key files.
 * Host keys are checked against known_hosts by our own verifier (see known-hosts.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, Client as ClientType, ClientChannel, ConnectConfig } from 'ssh2';
import { ConnectError, type ConnectFailure } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { parseTarget } from '../core/targets.js';
import { shQuote } from '../shell/quote.js';
import { commandLine, sudoPathFrom, WHO_AND_SUDO_SCRIPT, type CommandPlan } from './become.js';
import { CommandRun, commandTimeout, InFlight, killSessionScript, prepareCommand, type RunIdentity } from './command-run.js';
import {
  appendKnownHost,
  checkHostKey,
  fingerprint,
  keyTypeOf,
  knownHostsName,
  knownKeyTypes,
  readKnownHosts,
} from './known-hosts.js';
import { defaultIdentityFiles, resolveSshConfig } from './ssh-config.js';
import type { ConnectOptions, ExecOptions, ExecResult, TargetSpec, Transport, WriteFileOptions } from './types.js';
import { writeFileVia } from './write-file.js';

const { Client, utils } = ssh2;

/** Below sshd's default MaxSessions (10), leaving room for the user's own sessions. */
const MAX_CHANNELS = 8;
const KEEPALIVE_MS = 15_000;
/**
 * How long a server may stay silent before the connection counts as dead. sshd answers nothing —
 * not even keepalives — while it opens the login session (PAM: pam_systemd waiting for logind and
 * the user's systemd manager), which on a loaded host takes over a minute; `ssh` (no keepalive by
 * default) just waits. Dead links are still noticed within this budget.
 */
export const SILENCE_TOLERANCE_MS = 180_000;

/** Unanswered keepalives before giving up: enough to cover SILENCE_TOLERANCE_MS at this interval. */
export function keepaliveCountFor(intervalMs: number): number {
  return Math.max(3, Math.ceil(SILENCE_TOLERANCE_MS / intervalMs));
}
/**
 * Handshakes in flight at once, process-wide. sshd starts dropping unauthenticated connections
 * beyond MaxStartups (default 10:30:100) — a fleet run to one host, or through one jump host.
 */
const MAX_HANDSHAKES = 8;

/** One machine to log into on the way (a jump host) or at the end (the target). */
export interface Hop {
  /** How the user named it, for messages. */
  label: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** Agent socket, or undefined for none. */
  agent?: string;
  /** IdentitiesOnly: offer the configured key files before the agent's keys (sshd's MaxAuthTries). */
  keyFilesFirst?: boolean;
  /** ServerAliveInterval from the config, else our default. */
  keepaliveMs: number;
}

interface Refusal {
  failure: ConnectFailure;
  message: string;
  hint?: string;
}

/** Resolve a host the way `ssh` would: command line over `ssh -G` config over defaults. */
export async function resolveHop(
  spec: { label: string; host: string; user?: string; port?: number; identityFiles?: string[] },
  opts: ConnectOptions,
): Promise<Hop & { proxyJump?: string }> {
  const cfg = opts.useSshConfig === false ? undefined : await resolveSshConfig(spec.host, opts.sshConfigFile, spec.user, spec.port);
  let agent: string | undefined = process.env.SSH_AUTH_SOCK || undefined;
  if (cfg?.identityAgent === 'none') agent = undefined;
  else if (cfg?.identityAgent && cfg.identityAgent !== 'SSH_AUTH_SOCK') agent = cfg.identityAgent;
  const identityFiles = spec.identityFiles?.length ? spec.identityFiles : cfg ? cfg.identityFiles : defaultIdentityFiles();
  return {
    label: spec.label,
    host: cfg?.hostname ?? spec.host,
    port: spec.port ?? cfg?.port ?? 22,
    user: spec.user ?? cfg?.user ?? userInfo().username,
    identityFiles,
    agent,
    keyFilesFirst: cfg?.identitiesOnly,
    keepaliveMs: cfg?.serverAliveIntervalSec ? cfg.serverAliveIntervalSec * 1000 : KEEPALIVE_MS,
    proxyJump: cfg?.proxyJump,
  };
}

/** `user@host:port` or `ssh://user@host:port` of one jump host. */
export function parseJump(text: string): { host: string; user?: string; port?: number } {
  const t = parseTarget(text.trim().replace(/^ssh:\/\//, ''));
  return { host: t.host!, user: t.user, port: t.port };
}

/** A counting semaphore (channels per connection, handshakes per process). */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(n: number) {
    this.free = n;
  }
  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

const handshakes = new Slots(MAX_HANDSHAKES);

// ssh2's own default order, reordered below so that key types already in known_hosts come first.
const HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** Ask for a key type we can check first, as OpenSSH does; otherwise a known host looks "changed". */
export function hostKeyAlgorithms(knownTypes: readonly string[]): string[] {
  const preferred = knownTypes.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  const first = HOST_KEY_ALGORITHMS.filter((a) => preferred.includes(a));
  return [...first, ...HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}

export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  /** The target's connection, once open. */
  private conn?: ClientType;
  /** Shared jump connections this transport holds (released on close). */
  private jumpLeases: string[] = [];
  private connecting?: Promise<ClientType>;
  private rootCheck?: Promise<{ isRoot: boolean; sudoPath?: string }>;
  private slots = new Slots(MAX_CHANNELS);
  private readonly inFlight = new InFlight();
  private readonly knownHostsFile: string;
  /** The user the target was logged into as (set when the connection is opened). */
  loginUser?: string;

  constructor(
    private readonly spec: TargetSpec,
    private readonly options: ConnectOptions,
    private readonly logger: Logger,
  ) {
    this.knownHostsFile = options.knownHostsFile ?? join(homedir(), '.ssh', 'known_hosts');
  }

  get name(): string {
    return this.spec.name;
  }

  /** Open the connection now (openTransport does), so that connect errors show up front. */
  async connect(): Promise<void> {
    await this.connection();
  }

  async exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const conn = await this.connection();
    const who = opts.sudo ? await this.remoteIdentity() : { isRoot: false };
    const identity: RunIdentity = { host: this.name, ...who, becomePassword: this.options.becomePassword, logger: this.logger };
    const plan = prepareCommand(identity, script, opts, true);
    try {
      return await this.run(conn, plan, opts);
    } catch (e) {
      // The connection dropped before the channel opened: the command never ran, so running it on a
      // fresh connection is safe (once; a host that keeps dropping us is reported).
      if (!(e instanceof ChannelNotOpened) || this.conn === conn) throw e;
      this.logger.debug(`${this.name}: connection closed before the command started; reconnecting once`);
      return this.run(await this.connection(), plan, opts);
    }
  }

  writeFile(path: string, content: string | Buffer, opts: WriteFileOptions = {}): Promise<void> {
    return writeFileVia((s, o) => this.exec(s, o), this.name, path, content, opts);
  }

  async openUnixSocket(path: string): Promise<Duplex> {
    const conn = await this.connection();
    return new Promise((resolve, reject) => {
      conn.openssh_forwardOutStreamLocal(path, (err, stream) => {
        if (!err) return resolve(stream);
        const failure: NodeJS.ErrnoException = new Error(`${path}: ${err.message}`);
        this.exec(`sh -c ${shQuote(WHY_CONNECT_FAILED)} sh ${shQuote(path)}`, { timeoutMs: 10_000 })
          .then((r) => {
            failure.code = streamLocalErrorCode(r.stdout);
            if (failure.code) failure.message = `${path}: ${failure.code} (${err.message})`;
          })
          .catch(() => {})
          .finally(() => reject(failure));
      });
    });
  }

  async reconnect(): Promise<void> {
    await this.close();
    await this.connection();
  }

  async abort(): Promise<number> {
    const asRoot = await this.inFlight.abortAll();
    const conn = this.conn;
    this.forget();
    conn?.destroy();
    return asRoot;
  }

  async close(): Promise<void> {
    const conn = this.conn;
    this.forget();
    if (conn) await endClient(conn);
  }

  /** Drop the connection state (closed or lost); the next command connects again. */
  private forget(): void {
    this.conn = undefined;
    this.connecting = undefined;
    this.rootCheck = undefined;
    this.jumpLeases.splice(0).forEach(releaseJump);
  }

  private connection(): Promise<ClientType> {
    if (!this.connecting) {
      const attempt = this.openChain();
      this.connecting = attempt;
      // A failed attempt is not cached: the next command tries again.
      attempt.catch(() => {
        if (this.connecting === attempt) this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  /** Whether the login user is root, and where sudo is (fixed places only: see SUDO_PATHS). */
  private remoteIdentity(): Promise<{ isRoot: boolean; sudoPath?: string }> {
    if (!this.rootCheck) {
      this.rootCheck = this.connection()
        .then((conn) => this.run(conn, { argv: ['sh', '-c', WHO_AND_SUDO_SCRIPT] }, {}))
        .then((r) => {
          const [uid, sudo] = r.stdout.split('\n');
          return { isRoot: r.code === 0 && uid?.trim() === '0', sudoPath: sudoPathFrom(sudo) };
        });
      this.rootCheck.catch(() => (this.rootCheck = undefined));
    }
    return this.rootCheck;
  }

  private async run(conn: ClientType, plan: CommandPlan, opts: ExecOptions): Promise<ExecResult> {
    await this.slots.acquire();
    try {
      return await this.runOnChannel(conn, plan, opts);
    } finally {
      this.slots.release();
    }
  }

  private runOnChannel(conn: ClientType, plan: CommandPlan, opts: ExecOptions): Promise<ExecResult> {
    const run = new CommandRun(this.name, plan, opts, commandTimeout(opts, this.options));
    this.inFlight.track(run, opts.sudo === true);
    conn.exec(commandLine(plan), (err: Error | undefined, ch: ClientChannel) => {
      if (err) {
        run.failed(
          new ChannelNotOpened(
            this.name,
            'other',
            this.conn === conn
              ? `could not start a command: ${err.message}`
              : `the SSH connection closed before a command could start (${err.message})`,
            'the host stopped answering (a login session that takes minutes to open, or a dropped link); run again',
          ),
        );
        return;
      }
      ch.on('data', (c: Buffer) => run.stdout(c));
      ch.stderr.on('data', (c: Buffer) => run.stderr(c));
      // exit-status gives a number; exit-signal gives (null, name). No event at all leaves code null.
      ch.on('exit', (c: number | null, sig?: string) => run.exited(c, sig ?? undefined));
      ch.on('close', () => run.closed());
      run.started({
        stdin: ch,
        kill: (sessionId) => {
          try {
            ch.signal('KILL');
          } catch {
            // The channel may be closing already.
          }
          // sshd signals only the shell it started; children (an apt-get holding the dpkg lock)
          // would live on. Everything the command started shares its session: kill that.
          if (sessionId) this.killSession(sessionId, plan.viaSudo === true);
        },
        release: () => ch.close(),
      });
    });
    return run.result;
  }

  /** Fire and forget: the timed-out command's result does not wait for this. */
  private killSession(sessionId: string, sudo: boolean): void {
    const kill = this.exec(killSessionScript(sessionId), { sudo, timeoutMs: 15_000 }).catch((e: unknown) =>
      this.logger.debug(`${this.name}: could not kill timed-out session ${sessionId}: ${String(e)}`),
    );
    this.inFlight.killing(kill);
  }

  /** Connect through every jump host to the target; returns the target's client. */
  private async openChain(): Promise<ClientType> {
    const spec = this.spec;
    if (!spec.host) throw new ConnectError(spec.name, 'other', 'no host name given');
    // The command line's --ssh-config wins over the inventory's ssh_config; jump hosts resolve
    // through the same file, as `ssh -F FILE -J …` passes -F on to the jump's ssh.
    const options = !this.options.sshConfigFile && spec.sshConfigFile ? { ...this.options, sshConfigFile: spec.sshConfigFile } : this.options;
    const target = await resolveHop(
      { label: spec.name, host: spec.host, user: spec.user, port: spec.port, identityFiles: spec.identityFiles },
      options,
    );
    this.loginUser = target.user;
    const jumpText = spec.jump ?? target.proxyJump;
    const jumps: Hop[] = [];
    for (const j of jumpText ? jumpText.split(',') : []) {
      const parsed = parseJump(j);
      const hop = await resolveHop({ label: j.trim(), ...parsed }, options);
      // Keys named on the command line are offered to jump hosts too, after their own (unlike
      // `ssh -i … -J …`, where the jump's separate ssh process never sees -i; one -i should serve all).
      for (const key of spec.identityFiles ?? []) if (!hop.identityFiles.includes(key)) hop.identityFiles.push(key);
      jumps.push(hop);
    }
    // Jump connections are shared by every transport going through the same chain: a fleet behind
    // one bastion logs into it once, not once per host.
    let via: ClientType | undefined;
    let chainKey = `${this.knownHostsFile}|${this.options.hostKeyPolicy}`;
    const leases: string[] = [];
    try {
      for (const [i, hop] of jumps.entries()) {
        chainKey += `>${hop.user}@${hop.host}:${hop.port}`;
        const from = via;
        via = await leaseJump(chainKey, async () => {
          const sock = from ? await this.forward(from, jumps[i - 1]!, hop) : undefined;
          return this.connectHop(hop, sock).catch((e: unknown) => {
            throw asJumpError(this.name, hop, e);
          });
        });
        leases.push(chainKey);
      }
      const sock = via ? await this.forward(via, jumps[jumps.length - 1]!, target) : undefined;
      const conn = await this.connectHop(target, sock);
      this.conn = conn;
      this.jumpLeases = leases;
      conn.on('close', () => {
        // Dropped (network, sshd restart, the jump host went away): the next command reconnects.
        if (this.conn === conn) this.forget();
      });
      return conn;
    } catch (e) {
      leases.forEach(releaseJump);
      throw e;
    }
  }

  /** A TCP channel from a jump host to the next hop, to run the next SSH connection over. */
  private forward(jump: ClientType, jumpHop: Hop, next: Hop): Promise<Duplex> {
    return forwardOut(jump, next.host, next.port).catch((e: Error) => {
      throw new ConnectError(
        this.name,
        'jump',
        `jump host ${jumpHop.label} could not reach ${next.host}:${next.port}: ${e.message}`,
        'check that the jump host can reach the target (and that AllowTcpForwarding is on there)',
      );
    });
  }

  private async connectHop(hop: Hop, sock: Duplex | undefined): Promise<ClientType> {
    // sshd drops simultaneous fresh connections beyond MaxStartups: retry a reset handshake a little later.
    for (let attempt = 1; ; attempt++) {
      try {
        await handshakes.acquire();
        try {
          return await this.connectOnce(hop, sock);
        } finally {
          handshakes.release();
        }
      } catch (e) {
        const reset = e instanceof ConnectError && e.failure === 'other' && /ECONNRESET|before handshake/i.test(String(e.cause));
        if (!reset || sock || attempt >= 3) throw e;
        await new Promise((r) => setTimeout(r, 300 * attempt + Math.random() * 300));
      }
    }
  }

  private connectOnce(hop: Hop, sock: Duplex | undefined): Promise<ClientType> {
    const { methods, skipped } = this.authMethods(hop);
    const name = knownHostsName(hop.host, hop.port);
    let refusal: Refusal | undefined;
    const client = new Client();
    const config: ConnectConfig = {
      host: hop.host,
      port: hop.port,
      username: hop.user,
      readyTimeout: this.options.connectTimeoutMs,
      keepaliveInterval: hop.keepaliveMs,
      keepaliveCountMax: keepaliveCountFor(hop.keepaliveMs),
      authHandler: methods,
      algorithms: { serverHostKey: hostKeyAlgorithms(knownKeyTypes(readKnownHosts(this.knownHostsFile), name)) as never },
      // The callback form: ssh2 takes a returned Promise as "accept" (see test-hosts.md).
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        refusal = this.checkHostKey(hop, key);
        verify(refusal === undefined);
      },
    };
    if (sock) config.sock = sock;
    return new Promise<ClientType>((resolve, reject) => {
      client.once('ready', () => {
        client.removeAllListeners('error');
        client.on('error', (err: Error) => this.logger.debug(`${this.name}: ssh connection error: ${err.message}`));
        resolve(client);
      });
      client.once('error', (err: Error & { level?: string; code?: string }) => {
        // ssh2 may report more errors while tearing down; they add nothing to the first one.
        client.on('error', () => {});
        client.end();
        reject(
          refusal
            ? new ConnectError(this.name, refusal.failure, refusal.message, refusal.hint, err)
            : classifyConnectError(this.name, hop, err, skipped, this.options.connectTimeoutMs),
        );
      });
      client.connect(config);
    });
  }

  /** Agent first (it holds the keys the user unlocked; key files first with IdentitiesOnly), then key files; encrypted files are skipped. */
  private authMethods(hop: Hop): { methods: AnyAuthMethod[]; skipped: string[] } {
    const methods: AnyAuthMethod[] = [];
    const skipped: string[] = [];
    const agent: AnyAuthMethod[] = hop.agent && existsSync(hop.agent) ? [{ type: 'agent', username: hop.user, agent: hop.agent }] : [];
    if (!hop.keyFilesFirst) methods.push(...agent);
    for (const file of hop.identityFiles) {
      if (!existsSync(file)) continue;
      let data: Buffer;
      try {
        data = readFileSync(file);
      } catch (e) {
        skipped.push(`${file} (${(e as Error).message})`);
        continue;
      }
      const parsed = utils.parseKey(data);
      if (parsed instanceof Error) {
        skipped.push(`${file} (${/encrypt|passphrase/i.test(parsed.message) ? 'passphrase-protected: load it into ssh-agent' : parsed.message})`);
        continue;
      }
      methods.push({ type: 'publickey', username: hop.user, key: data });
    }
    if (hop.keyFilesFirst) methods.push(...agent);
    return { methods, skipped };
  }

  /** undefined: accept. Reads known_hosts afresh so that accept-new entries made meanwhile count. */
  private checkHostKey(hop: Hop, key: Buffer): Refusal | undefined {
    const name = knownHostsName(hop.host, hop.port);
    const fp = fingerprint(key);
    const type = keyTypeOf(key);
    const file = this.knownHostsFile;
    if (this.options.hostKeyPolicy === 'off') {
      this.logger.warn(
        `HOST KEY NOT VERIFIED for ${name} (${type} ${fp}): --host-key-policy off lets anyone between you and the host read and change everything`,
      );
      return undefined;
    }
    const verdict = checkHostKey(readKnownHosts(file), name, key);
    if (verdict.status === 'known') return undefined;
    if (verdict.status === 'revoked') {
      return {
        failure: 'host-key-changed',
        message: `host key of ${name} (${type} ${fp}) is marked @revoked in ${file} line ${verdict.line}; refusing to connect`,
        hint: 'the host must get a new host key; ask its administrator',
      };
    }
    if (verdict.status === 'changed') {
      return {
        failure: 'host-key-changed',
        message:
          `HOST KEY CHANGED for ${name}: it now presents ${type} ${fp}, which does not match ${file} ` +
          `line ${verdict.lines.join(', ')}. Someone may be intercepting the connection, or the host was reinstalled.`,
        hint:
          `verify the new fingerprint out of band; if it is right, remove the old entry with ` +
          `ssh-keygen -R ${shQuote(name)} -f ${shQuote(file)} and connect again`,
      };
    }
    if (this.options.hostKeyPolicy === 'accept-new') {
      appendKnownHost(file, name, key);
      this.logger.warn(`added new host key of ${name} (${type} ${fp}) to ${file}`);
      return undefined;
    }
    const scan = `ssh-keyscan ${hop.port === 22 ? '' : `-p ${hop.port} `}${shQuote(hop.host)} >> ${shQuote(file)}`;
    return {
      failure: 'host-key-unknown',
      message: `host key of ${name} is not known (${type} ${fp}); refusing to connect (host key policy strict)`,
      hint: `verify the fingerprint out of band, then run: ${scan}  — or pass --host-key-policy accept-new`,
    };
  }
}

/** sshd never opened the command's channel: the command did not run. */
class ChannelNotOpened extends ConnectError {}

interface SharedJump {
  client: Promise<ClientType>;
  users: number;
}
/** Open jump connections by chain (known_hosts file, policy, and every hop up to this one). */
const sharedJumps = new Map<string, SharedJump>();

async function leaseJump(key: string, open: () => Promise<ClientType>): Promise<ClientType> {
  let entry = sharedJumps.get(key);
  if (!entry) {
    const created: SharedJump = { client: open(), users: 0 };
    const drop = () => {
      if (sharedJumps.get(key) === created) sharedJumps.delete(key);
    };
    created.client.then((c) => c.on('close', drop), drop);
    sharedJumps.set(key, created);
    entry = created;
  }
  entry.users++;
  try {
    return await entry.client;
  } catch (e) {
    entry.users--;
    throw e;
  }
}

function releaseJump(key: string): void {
  const entry = sharedJumps.get(key);
  if (!entry) return;
  entry.users--;
  if (entry.users <= 0) {
    sharedJumps.delete(key);
    entry.client.then(endClient, () => {});
  }
}

function forwardOut(client: ClientType, host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

/**
 * Say goodbye, and drop the socket if the server does not close it soon: sshd closes only after its
 * PAM session close has run, and an open socket would keep dockhand alive until then.
 */
function endClient(client: ClientType): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      // ssh2's destroy() does nothing once end() has half-closed the socket, so destroy the socket.
      (client as unknown as { _sock?: { destroy(): void } })._sock?.destroy();
      resolve();
    }, 2000);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}

function asJumpError(target: string, hop: Hop, e: unknown): ConnectError {
  if (!(e instanceof ConnectError)) return new ConnectError(target, 'jump', `jump host ${hop.label}: ${String(e)}`);
  const detail = e.message.startsWith(`${target}: `) ? e.message.slice(target.length + 2) : e.message;
  return new ConnectError(target, 'jump', `jump host ${hop.label} (${e.failure}): ${detail}`, e.hint, e);
}

export function classifyConnectError(
  host: string,
  hop: Hop,
  err: Error & { level?: string; code?: string },
  skippedKeys: string[],
  timeoutMs: number,
): ConnectError {
  const where = `${hop.user}@${hop.host}:${hop.port}`;
  if (err.level === 'client-authentication') {
    const skipped = skippedKeys.length ? `; skipped keys: ${skippedKeys.join(', ')}` : '';
    return new ConnectError(
      host,
      'auth',
      `authentication failed for ${where} (tried ${hop.agent ? 'the ssh-agent and ' : ''}${hop.identityFiles.filter(existsSync).length} key file(s)${skipped})`,
      `check the user name, that your public key is in ~${hop.user}/.ssh/authorized_keys on the host, or load the key with ssh-add`,
      err,
    );
  }
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ConnectError(host, 'refused', `connection refused by ${hop.host}:${hop.port}`, 'is sshd running and listening on that port?', err);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectError(host, 'dns', `cannot resolve host name ${hop.host}`, 'check the spelling, your DNS, or the HostName in ~/.ssh/config', err);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ConnectError(host, 'timeout', `cannot reach ${hop.host}:${hop.port} (${err.code})`, 'check the address, routing and firewalls', err);
  }
  if (err.level === 'client-timeout' || /timed out/i.test(err.message)) {
    return new ConnectError(
      host,
      'timeout',
      `no SSH handshake with ${hop.host}:${hop.port} within ${Math.round(timeoutMs / 1000)} s`,
      'check the address and firewalls, or raise --connect-timeout',
      err,
    );
  }
  return new ConnectError(host, 'other', `SSH connection to ${where} failed: ${err.message}`, undefined, err);
}

/**
 * sshd answers every failed streamlocal connect with the same "open failed", whatever connect(2)
 * said. Ask the host, as the same login user, what is at the path, and give the error the errno
 * code a local connect would have had, so callers classify remote and local failures alike.
 */
const WHY_CONNECT_FAILED = [
  'p=$1',
  '[ -e "$p" ] || [ -L "$p" ] || { echo ENOENT; exit 0; }',
  '[ -d "$p" ] && { echo EISDIR; exit 0; }',
  '[ -S "$p" ] || { echo ENOTSOCK; exit 0; }',
  '[ -w "$p" ] || { echo EACCES; exit 0; }',
  'echo ECONNREFUSED',
].join('\n');

export function streamLocalErrorCode(answer: string): string | undefined {
  const code = answer.trim();
  return ['ENOENT', 'EISDIR', 'ENOTSOCK', 'EACCES', 'ECONNREFUSED'].includes(code) ? code : undefined;
}
