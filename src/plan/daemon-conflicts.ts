/**
 * A daemon.json key that is also a flag on dockerd's command line (the unit's ExecStart, a drop-in,
 * Debian's DOCKER_OPTS, or the running daemon's argv) makes dockerd refuse to start ("the following
 * directives are specified both as a flag and in the configuration file"). The plan refuses such a
 * file before writing it, naming both places. Pure.
 */
import { PreconditionError } from '../core/errors.js';
import type { Facts } from '../facts/types.js';
import type { DaemonConfig } from './daemon-json.js';

/** Short flags and old names of daemon.json keys (dockerd's flag table). */
const ALIASES: Record<string, readonly string[]> = {
  hosts: ['-H', '--host'],
  'storage-driver': ['-s', '--storage-driver'],
  'data-root': ['-g', '--graph', '--data-root'],
  debug: ['-D', '--debug'],
  'log-level': ['-l', '--log-level'],
  group: ['-G', '--group'],
  bridge: ['-b', '--bridge'],
  pidfile: ['-p', '--pidfile'],
  'insecure-registries': ['--insecure-registry'],
  proxies: ['--http-proxy', '--https-proxy', '--no-proxy'],
};

/** The flags that set a daemon.json key: its aliases, or --KEY and, for a list key, the singular --KEY. */
export function flagsFor(key: string): readonly string[] {
  return ALIASES[key] ?? [`--${key}`, ...(key.endsWith('s') ? [`--${key.slice(0, -1)}`] : [])];
}

/** The first word of argv that sets the flag (`-H`, `-H=…`, `--host=…`, `-Hunix://…` for a short one). */
function findFlag(argv: readonly string[], flags: readonly string[]): string | undefined {
  return argv.find((w) => flags.some((f) => w === f || w.startsWith(`${f}=`) || (/^-[A-Za-z]$/.test(f) && w.startsWith(f) && w.length > 2 && !w.startsWith('--'))));
}

interface Place {
  where: string;
  argv: readonly string[];
}

/** Every command line dockerd gets, with where it comes from. */
export function dockerdCommandLines(facts: Facts): Place[] {
  const places: Place[] = [];
  const unit = facts.daemonUnit;
  if (unit) {
    // The last drop-in with a non-empty ExecStart= replaces the unit's; name it, else the unit file.
    const overriding = [...unit.dropIns].reverse().find((f) => /^\s*ExecStart\s*=\s*\S/m.test(f.content ?? ''));
    const where = overriding ? `${overriding.path} (ExecStart)` : `${unit.fragmentPath ?? 'docker.service'} (ExecStart)`;
    for (const argv of unit.execStart) places.push({ where, argv });
    const opts = unit.defaults?.content && /\$\{?DOCKER_OPTS\}?/.test(unit.execStart.flat().join(' ')) ? dockerOpts(unit.defaults.content) : undefined;
    if (opts) places.push({ where: `${unit.defaults!.path} (DOCKER_OPTS)`, argv: opts });
  }
  if (facts.dockerd?.cmdline) places.push({ where: `the running dockerd's command line (pid ${facts.dockerd.pid})`, argv: facts.dockerd.cmdline.split(/\s+/) });
  return places;
}

/** `DOCKER_OPTS="…"` of /etc/default/docker (the last assignment that is not a comment) as words. */
export function dockerOpts(content: string): string[] | undefined {
  let value: string | undefined;
  for (const line of content.split('\n')) {
    const m = /^\s*(?:export\s+)?DOCKER_OPTS=(["']?)(.*)\1\s*$/.exec(line);
    if (m) value = m[2];
  }
  return value?.trim() ? value.trim().split(/\s+/) : undefined;
}

/**
 * Throws when a top-level key of the config dockhand is about to write is also set by a flag.
 * The running daemon's argv is only consulted when no unit says how dockerd starts (no systemd).
 */
export function refuseFlagConflicts(facts: Facts, config: DaemonConfig, changedKeys: ReadonlySet<string>): void {
  const places = dockerdCommandLines(facts);
  const fromUnit = places.some((p) => !p.where.startsWith('the running'));
  const lines = fromUnit ? places.filter((p) => !p.where.startsWith('the running')) : places;
  const clashes: string[] = [];
  for (const key of Object.keys(config)) {
    for (const place of lines) {
      const flag = findFlag(place.argv, flagsFor(key));
      if (flag) clashes.push(`"${key}" in /etc/docker/daemon.json${changedKeys.has(key) ? ' (this plan sets it)' : ''} and ${flag.split('=')[0]} in ${place.where}`);
    }
  }
  if (clashes.length === 0) return;
  throw new PreconditionError(
    facts.host,
    `dockerd refuses a setting given both as a flag and in daemon.json: ${clashes.join('; ')}`,
    'remove the flag from the unit (a drop-in with an empty ExecStart= and one without it) or the key from daemon.json, so that only one place sets it',
  );
}
