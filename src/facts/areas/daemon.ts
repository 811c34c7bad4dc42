/**
 * Fact area daemon (daemon.sh): what configures dockerd besides daemon.json — the docker unit's
 * ExecStart and drop-ins, /etc/default/docker — and what the running daemon reports through
 * `docker info` (asked only when dockerd runs, under a timeout). Everything here is host text:
 * parsed defensively, never trusted to pick anything but what the plan prints.
 */
import { sectionOf, stdoutOf, type FileContent, type ProbeOutput } from '../../probe/framing.js';
import type { FactArea } from './area.js';
import { nonEmpty } from './values.js';
import { secretDigest } from '../../core/secret-digest.js';

/** Where systemd reads drop-ins for docker.service (most specific first). */
export const DOCKER_DROPIN_DIRS = [
  '/etc/systemd/system/docker.service.d',
  '/run/systemd/system/docker.service.d',
  '/usr/lib/systemd/system/docker.service.d',
  '/lib/systemd/system/docker.service.d',
] as const;

/** Drop-in files read at most (a host with more is odd; the plan says the list was cut). */
export const DROPINS_MAX = 16;

/**
 * `docker info` fields as one JSON object (a template, not `{{json .}}`: only what the plan uses,
 * so the output stays small whatever the daemon has).
 */
export const INFO_FORMAT =
  '{"running":{{json .ContainersRunning}},"containers":{{json .Containers}},"images":{{json .Images}},' +
  '"driver":{{json .Driver}},"driverStatus":{{json .DriverStatus}},"root":{{json .DockerRootDir}},' +
  '"liveRestore":{{json .LiveRestoreEnabled}},"mirrors":{{json .RegistryConfig.Mirrors}},' +
  '"logDriver":{{json .LoggingDriver}},"version":{{json .ServerVersion}},"debug":{{json .Debug}}}';

export interface DaemonInfo {
  containersRunning?: number;
  containers?: number;
  images?: number;
  /** overlay2 (graph driver) or overlayfs (containerd snapshotter). */
  driver?: string;
  /** `driver-type` from DriverStatus: io.containerd.snapshotter.v1 on the containerd image store. */
  driverType?: string;
  rootDir?: string;
  liveRestore?: boolean;
  /** As the daemon normalised them (with a trailing slash). */
  mirrors?: string[];
  logDriver?: string;
  serverVersion?: string;
  debug?: boolean;
}

export interface DaemonUnitFacts {
  /** Each ExecStart= command line of docker.service, as words (systemd's argv[]). */
  execStart: string[][];
  /** The unit file (/lib/systemd/system/docker.service, …). */
  fragmentPath?: string;
  dropIns: FileContent[];
  /** More drop-ins than were read. */
  dropInsTruncated: boolean;
  /** Debian's /etc/default/docker (DOCKER_OPTS), when present. */
  defaults?: FileContent;
  /**
   * The proxy variables the loaded unit passes to dockerd (systemd shows a unit's Environment= to
   * every user, even from a root-only drop-in), as secretDigest(proxyEnvironmentText(...)): a
   * proxy URL may hold a password, which facts never keep. Undefined: no systemd answer.
   */
  proxyEnvironment?: string;
}

/** The proxy variables dockerd reads, in a fixed order: what the unit's and the wanted digests cover. */
export const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'] as const;

export function proxyEnvironmentText(env: Partial<Record<(typeof PROXY_VARIABLES)[number], string>>): string {
  return PROXY_VARIABLES.filter((k) => env[k] !== undefined).map((k) => `${k}=${env[k]}`).join('\n');
}

/** `Environment=A=1 HTTP_PROXY=http://… NO_PROXY=a,b` → the proxy variables (the last of each wins, as in systemd). */
export function parseProxyEnvironment(value: string): Partial<Record<(typeof PROXY_VARIABLES)[number], string>> {
  const out: Partial<Record<(typeof PROXY_VARIABLES)[number], string>> = {};
  for (const word of value.split(/\s+/)) {
    const eq = word.indexOf('=');
    const name = word.slice(0, eq) as (typeof PROXY_VARIABLES)[number];
    if (eq > 0 && (PROXY_VARIABLES as readonly string[]).includes(name)) out[name] = word.slice(eq + 1);
  }
  return out;
}

export interface DaemonAreaFacts {
  /** undefined: not read (facts recorded before this area existed). */
  daemonUnit?: DaemonUnitFacts;
  /** undefined: dockerd does not run, or it did not answer this user (not in the docker group). */
  daemonInfo?: DaemonInfo;
}

/** `ExecStart={ path=… ; argv[]=/usr/bin/dockerd -H fd:// ; ignore_errors=no ; … }` → argv words of each. */
export function parseExecStart(value: string | undefined): string[][] {
  if (!value) return [];
  const out: string[][] = [];
  for (const m of value.matchAll(/argv\[\]=(.*?) ; /g)) {
    const words = m[1]!.trim().split(/\s+/).filter(Boolean);
    if (words.length) out.push(words);
  }
  return out;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);

/** The template's JSON; anything of the wrong shape is left out (could not tell). */
export function parseDaemonInfo(text: string | undefined): DaemonInfo | undefined {
  if (!text?.trim()) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text.trim().split('\n')[0]!);
  } catch {
    return undefined;
  }
  return daemonInfoOf(raw);
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The same facts from the Engine API's GET /info, which `docker info` formats (INFO_FORMAT names
 * its fields): for a caller that asks the daemon's socket itself (the local doctor, src/doctor/gather.ts).
 */
export function daemonInfoFromApi(info: unknown): DaemonInfo | undefined {
  if (!isRecord(info)) return undefined;
  const registry = isRecord(info.RegistryConfig) ? info.RegistryConfig : {};
  return daemonInfoOf({
    running: info.ContainersRunning,
    containers: info.Containers,
    images: info.Images,
    driver: info.Driver,
    driverStatus: info.DriverStatus,
    root: info.DockerRootDir,
    liveRestore: info.LiveRestoreEnabled,
    mirrors: registry.Mirrors,
    logDriver: info.LoggingDriver,
    version: info.ServerVersion,
    debug: info.Debug,
  });
}

/** INFO_FORMAT's object, field by field; anything of the wrong shape is left out (could not tell). */
function daemonInfoOf(r: unknown): DaemonInfo | undefined {
  if (!isRecord(r)) return undefined;
  const status = Array.isArray(r.driverStatus) ? r.driverStatus : [];
  const driverType = status.find((p): p is [string, string] => Array.isArray(p) && p[0] === 'driver-type' && typeof p[1] === 'string')?.[1];
  const mirrors = Array.isArray(r.mirrors) ? r.mirrors.filter((m): m is string => typeof m === 'string') : r.mirrors === null ? [] : undefined;
  return {
    containersRunning: num(r.running),
    containers: num(r.containers),
    images: num(r.images),
    driver: str(r.driver),
    driverType,
    rootDir: str(r.root),
    liveRestore: bool(r.liveRestore),
    mirrors,
    logDriver: str(r.logDriver),
    serverVersion: str(r.version),
    debug: bool(r.debug),
  };
}

/**
 * docker.service's properties as this area's `systemctl show` printed them (section daemon_unit).
 * Several ExecStart= lines are one property each: kept together, one a line. The doctor reads the
 * raw ExecStart from here too (src/doctor/parse.ts).
 */
export function daemonUnitProperties(out: ProbeOutput): Record<string, string> {
  const props: Record<string, string> = {};
  for (const line of (stdoutOf(sectionOf(out, 'daemon_unit'), 'show') ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    props[key] = props[key] ? `${props[key]}\n${line.slice(eq + 1)}` : line.slice(eq + 1);
  }
  return props;
}

function parse(out: ProbeOutput): DaemonAreaFacts {
  const unit = sectionOf(out, 'daemon_unit');
  const props = daemonUnitProperties(out);
  const files = Object.values(unit.files);
  const info = sectionOf(out, 'daemon_info').commands.info;
  return {
    daemonUnit: {
      execStart: parseExecStart(props.ExecStart),
      fragmentPath: nonEmpty(props.FragmentPath),
      dropIns: files.filter((f) => f.path !== '/etc/default/docker'),
      dropInsTruncated: unit.kv.dropins_truncated === 'yes',
      defaults: unit.files['/etc/default/docker'],
      proxyEnvironment: props.Environment === undefined ? undefined : secretDigest(proxyEnvironmentText(parseProxyEnvironment(props.Environment))),
    },
    daemonInfo: info && info.rc === 0 ? parseDaemonInfo(info.stdout) : undefined,
  };
}

export const daemonArea: FactArea<DaemonAreaFacts> = {
  script: 'daemon.sh',
  vars: { DH_DROPIN_DIRS: DOCKER_DROPIN_DIRS, DH_INFO_FORMAT: INFO_FORMAT, DH_DROPINS_MAX: String(DROPINS_MAX) },
  parse,
};
