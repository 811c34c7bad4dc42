/**
 * Host keys: where they are recorded (`--known-hosts`, else the SSH config's UserKnownHostsFile, else
 * ~/.ssh/known_hosts), the policy for a key that is not recorded (`--host-key-policy`, else the SSH
 * config's StrictHostKeyChecking, else strict), and the OpenSSH known_hosts format: parsing, lookup
 * and the one-line writer used by accept-new. Parsing and lookup are pure (text in, verdict out) so
 * they are tested from fixture tables.
 *
 * Supported: plain host patterns (comma lists, `*`/`?` wildcards, `!negation`), `[host]:port` for
 * ports other than 22, hashed names (`|1|salt|hmac-sha1`), and `@revoked` markers (such a key is
 * always refused). `@cert-authority` lines are skipped: ssh2 does not verify host certificates, so
 * a CA line can neither prove nor disprove a plain host key.
 */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { ConnectFailure } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { shQuote } from '../../shell/quote.js';
import type { SshConfig } from '../ssh-config.js';
import type { ConnectOptions, HostKeyPolicy } from '../types.js';

export interface KnownHostEntry {
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** Host patterns as written (for hashed entries, the single `|1|…` token). */
  patterns: string[];
  keyType: string;
  /** The key blob, decoded from base64. */
  key: Buffer;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return; // Unknown marker: OpenSSH ignores such lines too.
    }
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64) return; // Malformed lines are skipped, as OpenSSH does.
    entries.push({ line: index + 1, marker, patterns: hosts.split(','), keyType, key: Buffer.from(keyBase64, 'base64') });
  });
  return entries;
}

/** The name known_hosts uses for a host: `host` on port 22, `[host]:port` elsewhere. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatches(token: string, name: string): boolean {
  const parts = token.split('|'); // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2]!, 'base64');
  const want = Buffer.from(parts[3]!, 'base64');
  const got = createHmac('sha1', salt).update(name).digest();
  return got.equals(want);
}

/** Hash a name the way `ssh-keygen -H` / HashKnownHosts do (for tests and fixtures). */
export function hashHostName(name: string, salt: Buffer): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

/** Does an entry's pattern list name this host? A matching `!pattern` vetoes the whole entry. */
function entryMatches(entry: KnownHostEntry, name: string): boolean {
  let matched = false;
  for (const p of entry.patterns) {
    if (p.startsWith('|')) {
      if (hashedMatches(p, name)) matched = true;
    } else if (p.startsWith('!')) {
      if (globToRegExp(p.slice(1)).test(name)) return false;
    } else if (globToRegExp(p).test(name)) matched = true;
  }
  return matched;
}

export type HostKeyVerdict =
  | { status: 'known'; line: number }
  | { status: 'unknown' }
  | { status: 'changed'; knownTypes: string[]; lines: number[] }
  | { status: 'revoked'; line: number };

/** Check a presented key blob against parsed entries for a host name (`knownHostsName`). */
export function checkHostKey(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyVerdict {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', line: revoked.line };
  const forHost = entries.filter((e) => e.marker === undefined && entryMatches(e, name));
  const same = forHost.find((e) => e.key.equals(key));
  if (same) return { status: 'known', line: same.line };
  if (forHost.length === 0) return { status: 'unknown' };
  return { status: 'changed', knownTypes: [...new Set(forHost.map((e) => e.keyType))], lines: forHost.map((e) => e.line) };
}

/** Key types recorded for a host, to ask the server for one of those first (as OpenSSH does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  return [...new Set(entries.filter((e) => e.marker === undefined && entryMatches(e, name)).map((e) => e.keyType))];
}

/** OpenSSH's fingerprint form: `SHA256:` + unpadded base64 of the SHA-256 of the key blob. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type is the first string inside the blob (uint32 length + bytes). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString('latin1');
}

export function knownHostsLine(name: string, key: Buffer): string {
  return `${name} ${keyTypeOf(key)} ${key.toString('base64')}`;
}

function readKnownHosts(file: string): KnownHostEntry[] {
  return existsSync(file) ? parseKnownHosts(readFileSync(file, 'utf8')) : [];
}

/** Append one entry (accept-new). Creates the file 0600 and its directory 0700 when missing. */
function appendKnownHost(file: string, name: string, key: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
  appendFileSync(file, `${sep}${knownHostsLine(name, key)}\n`, { mode: 0o600 });
}

/** One hop's host-key settings, resolved from the command line and that hop's SSH config. */
export interface HostKeySettings {
  policy: HostKeyPolicy;
  /** known_hosts files read, in order. Empty: nothing is recorded (UserKnownHostsFile /dev/null). */
  files: string[];
  /** Where accept-new appends (OpenSSH: the first UserKnownHostsFile); undefined: nowhere. */
  recordTo?: string;
  /** Why nothing can be recorded, as the user wrote it (`UserKnownHostsFile /dev/null in the SSH config`). */
  unrecordable?: string;
  /** The SSH config's StrictHostKeyChecking when dockhand does not follow it (`no`: still strict). */
  ignoredStrictness?: string;
}

/** Names that hold nothing and keep nothing: reading gives no keys, writing records none. */
const NOWHERE = new Set(['/dev/null']);

/**
 * The command line wins; then the hop's SSH config (`ssh -G`, only when it says something other
 * than OpenSSH's defaults: a config that sets nothing keeps dockhand's own defaults); then
 * ~/.ssh/known_hosts and strict. `StrictHostKeyChecking no` is NOT followed: turning verification off
 * takes `--host-key-policy off` on dockhand's command line (Vagrant's generated configs say `no`).
 */
export function hostKeySettings(
  cfg: Pick<SshConfig, 'strictHostKeyChecking' | 'userKnownHostsFiles'> | undefined,
  opts: Pick<ConnectOptions, 'hostKeyPolicy' | 'knownHostsFile'>,
  passwdHome = userInfo().homedir,
): HostKeySettings {
  let policy: HostKeyPolicy = opts.hostKeyPolicy ?? 'strict';
  let ignoredStrictness: string | undefined;
  if (!opts.hostKeyPolicy && cfg?.strictHostKeyChecking === 'accept-new') policy = 'accept-new';
  if (!opts.hostKeyPolicy && cfg?.strictHostKeyChecking === 'no') ignoredStrictness = 'StrictHostKeyChecking no';
  let named: string[];
  let source: string;
  if (opts.knownHostsFile !== undefined) {
    named = [opts.knownHostsFile];
    source = `--known-hosts ${opts.knownHostsFile}`;
  } else if (cfg?.userKnownHostsFiles && !isOpenSshDefault(cfg.userKnownHostsFiles, passwdHome)) {
    named = cfg.userKnownHostsFiles;
    source = `UserKnownHostsFile ${named.join(' ') || 'none'} in the SSH config`;
  } else {
    named = [join(homedir(), '.ssh', 'known_hosts')];
    source = '';
  }
  const files = named.filter((f) => !NOWHERE.has(f));
  const recordTo = named[0] !== undefined && !NOWHERE.has(named[0]) ? named[0] : undefined;
  return { policy, files, recordTo, unrecordable: recordTo ? undefined : source, ignoredStrictness };
}

/** What `ssh -G` prints when nothing sets UserKnownHostsFile (tilde expanded from the passwd entry). */
function isOpenSshDefault(files: readonly string[], passwdHome: string): boolean {
  const defaults = [join(passwdHome, '.ssh', 'known_hosts'), join(passwdHome, '.ssh', 'known_hosts2')];
  return files.length === defaults.length && files.every((f, i) => f === defaults[i]);
}

/** Same settings, same key: jump connections are shared only between hops checked alike. */
export function settingsKey(s: HostKeySettings): string {
  return `${s.policy}|${s.files.join(' ')}|${s.recordTo ?? ''}`;
}

/** Recorded key types for a host in every file (to ask the server for one of those first). */
export function recordedKeyTypes(s: HostKeySettings, name: string): string[] {
  return [...new Set(s.files.flatMap((f) => knownKeyTypes(readKnownHosts(f), name)))];
}

/** Why a presented host key was refused. */
export interface Refusal {
  failure: ConnectFailure;
  message: string;
  hint?: string;
}

/**
 * Decide on a presented key: undefined accepts. Reads the files afresh so that accept-new entries
 * made meanwhile (another host of the fleet, the same jump host) count.
 */
export function checkPresentedKey(
  hop: { host: string; port: number },
  s: HostKeySettings,
  key: Buffer,
  logger: Logger,
): Refusal | undefined {
  const name = knownHostsName(hop.host, hop.port);
  const fp = fingerprint(key);
  const type = keyTypeOf(key);
  if (s.policy === 'off') {
    logger.warn(
      `HOST KEY NOT VERIFIED for ${name} (${type} ${fp}): --host-key-policy off lets anyone between you and the host read and change everything`,
    );
    return undefined;
  }
  const verdicts = s.files.map((file) => ({ file, verdict: checkHostKey(readKnownHosts(file), name, key) }));
  // A key @revoked in any file is refused, even where another file lists it as known.
  for (const { file, verdict } of verdicts) {
    if (verdict.status !== 'revoked') continue;
    return {
      failure: 'host-key-changed',
      message: `host key of ${name} (${type} ${fp}) is marked @revoked in ${file} line ${verdict.line}; refusing to connect`,
      hint: 'the host must get a new host key; ask its administrator',
    };
  }
  if (verdicts.some((v) => v.verdict.status === 'known')) return undefined;
  const changed = verdicts.flatMap(({ file, verdict }) => (verdict.status === 'changed' ? [{ file, lines: verdict.lines }] : []));
  if (changed.length) {
    return {
      failure: 'host-key-changed',
      message:
        `HOST KEY CHANGED for ${name}: it now presents ${type} ${fp}, which does not match ` +
        `${changed.map((c) => `${c.file} line ${c.lines.join(', ')}`).join('; ')}. Someone may be intercepting the connection, or the host was reinstalled.`,
      hint:
        `verify the new fingerprint out of band; if it is right, remove the old entry with ` +
        `${changed.map((c) => `ssh-keygen -R ${shQuote(name)} -f ${shQuote(c.file)}`).join(' and ')} and connect again`,
    };
  }
  const ignored = s.ignoredStrictness
    ? ` (${s.ignoredStrictness} in the SSH config is not followed: only --host-key-policy off skips verification)`
    : '';
  if (!s.recordTo) {
    return {
      failure: 'host-key-unknown',
      message:
        `host key of ${name} is not known (${type} ${fp}) and cannot be: ${s.unrecordable} records nothing; ` +
        `refusing to connect (host key policy ${s.policy})${ignored}`,
      hint: `verify the fingerprint out of band and pass --known-hosts FILE holding the key (ssh-keyscan ${scanArgs(hop)} > FILE)`,
    };
  }
  if (s.policy === 'accept-new') {
    appendKnownHost(s.recordTo, name, key);
    logger.warn(`added new host key of ${name} (${type} ${fp}) to ${s.recordTo}`);
    return undefined;
  }
  return {
    failure: 'host-key-unknown',
    message: `host key of ${name} is not known (${type} ${fp}); refusing to connect (host key policy strict)${ignored}`,
    hint: `verify the fingerprint out of band, then run: ssh-keyscan ${scanArgs(hop)} >> ${shQuote(s.recordTo)}  — or pass --host-key-policy accept-new`,
  };
}

function scanArgs(hop: { host: string; port: number }): string {
  return `${hop.port === 22 ? '' : `-p ${hop.port} `}${shQuote(hop.host)}`;
}
