/**
 * SSH transport on ssh2: one connection per host (through a ProxyJump chain when configured), reused
 * for every command, with at most a few channels at once (sshd allows 10 sessions per connection).
 * The pieces live beside it: hops.ts (who to connect to, from `ssh -G`), auth.ts (agent and key
 * files), host-keys.ts (known_hosts and the policy), connect.ts (handshakes and routes),
 * jump-pool.ts (shared jump connections), errors.ts (typed failures).
 */
import type { Duplex } from 'node:stream';
import type { Client as ClientType, ClientChannel } from 'ssh2';
import type { Logger } from '../../core/log.js';
import { commandLine, sudoPathFrom, WHO_AND_SUDO_SCRIPT, type CommandPlan } from '../become.js';
import { CommandRun, commandTimeout, InFlight, killSessionScript, prepareCommand, type RunIdentity } from '../command-run.js';
import type { ConnectOptions, ExecOptions, ExecResult, Pace, TargetSpec, Transport, WriteFileOptions } from '../types.js';
import { writeFileVia } from '../write-file.js';
import { openRoute } from './connect.js';
import { ChannelNotOpened } from './errors.js';
import { resolveRoute, type Route } from './hops.js';
import { defaultJumpPool, endClient, type JumpLease, type JumpPool } from './jump-pool.js';
import { Slots } from './slots.js';
import { openUnixSocket } from './unix-socket.js';

/** Below sshd's default MaxSessions (10), leaving room for the user's own sessions. */
const MAX_CHANNELS = 8;

export class SshTransport implements Transport {
  readonly kind = 'ssh' as const;
  /** The target's connection, once open. */
  private conn?: ClientType;
  /** Shared jump connections this transport holds (released on close). */
  private jumpLeases: JumpLease[] = [];
  private connecting?: Promise<ClientType>;
  private rootCheck?: Promise<{ isRoot: boolean; sudoPath?: string }>;
  private slots = new Slots(MAX_CHANNELS);
  private readonly inFlight = new InFlight();
  /** The user the target was logged into as (set when the connection is opened). */
  loginUser?: string;

  constructor(
    private readonly spec: TargetSpec,
    private readonly options: ConnectOptions,
    private readonly logger: Logger,
    /** Where jump connections are shared (a fleet run passes its own). */
    private readonly jumps: JumpPool = defaultJumpPool,
    /** A fleet run's connection pacing, keyed by the route resolved here (no second `ssh -G`). */
    private pace?: Pace,
    /** The route, already being resolved (openTransport starts it while ssh2 loads); used once. */
    private firstRoute?: Promise<Route>,
  ) {}

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
    return openUnixSocket(await this.connection(), path, (s, o) => this.exec(s, o));
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
    // A kill sent for a timed-out command runs on this connection: it must reach sshd before the
    // connection goes (endClient no longer waits for sshd to hang up, which covered this before).
    await this.inFlight.killsSent();
    const conn = this.conn;
    this.forget();
    if (conn) await endClient(conn);
  }

  /** Drop the connection state (closed or lost); the next command connects again. */
  private forget(): void {
    this.conn = undefined;
    this.connecting = undefined;
    this.rootCheck = undefined;
    this.jumpLeases.splice(0).forEach((l) => l.release());
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
    const pending = this.firstRoute;
    this.firstRoute = undefined; // a reconnect reads the config again
    const route = await (pending ?? resolveRoute(this.spec, this.options));
    this.loginUser = route.target.user;
    const open = () => openRoute({ name: this.name, options: this.options, logger: this.logger }, route, this.jumps);
    // Paced by the servers the handshakes really reach (HostName, Port, ProxyJump applied).
    const servers = [...route.jumps, route.target].map((hop) => `${hop.host}:${hop.port}`);
    // Only the first start is the fleet's to pace: a reconnect (new group membership, a dropped link,
    // the kill of an interrupted command) must not wait for, or be refused by, a stopping run's gate.
    const pace = this.pace;
    this.pace = undefined;
    const { client, leases } = await (pace ? pace(servers, open) : open());
    this.conn = client;
    this.jumpLeases = leases;
    client.on('close', () => {
      // Dropped (network, sshd restart, the jump host went away): the next command reconnects.
      if (this.conn === client) this.forget();
    });
    return client;
  }
}
