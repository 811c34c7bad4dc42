/**
 * The daemon settings dockhand manages: options + facts → the daemon.json keys wanted, what changes
 * against the file the host has (each change with the option behind it and what it does), and the
 * refusals a careful operator would want before anything is written (a storage switch or data root
 * move that would hide data, a feature the engine lacks). Pure; the conflicts with the unit's flags
 * are daemon-conflicts.ts, reload-or-restart is daemon-apply.ts.
 */
import { PreconditionError } from '../core/errors.js';
import { normalizeMirror, redactUrl } from '../core/daemon-values.js';
import type { Facts } from '../facts/types.js';
import { shQuote } from '../shell/quote.js';
import { refuseFlagConflicts } from './daemon-conflicts.js';
import { CONTAINERD_DEFAULT_ROOT, usesSystemContainerd } from './daemon-containerd.js';
import { currentRoot, moveNotes, planDataRootMove, type DataRootMove } from './daemon-data-root.js';
import { describeChange, mergeWants, readKey, renderDaemonJson, type DaemonChange, type DaemonConfig, type Want } from './daemon-json.js';

export type { DaemonChange, Want };

export type ImageStore = 'overlay2' | 'containerd';

/** What the user asked for (inventory `daemon:` + flags); everything optional, nothing set by default but the image store. */
export interface DaemonOptions {
  /** Raw daemon.json keys (inventory `daemon:`, then `--daemon-opt`): dotted paths → JSON values; null removes. */
  settings?: Readonly<Record<string, unknown>>;
  logMaxSize?: string;
  logMaxFile?: number;
  liveRestore?: boolean;
  registryMirrors?: readonly string[];
  dataRoot?: string;
  /** --move-data-root: an old root holding data is moved to dataRoot (daemon-data-root.ts), not left behind. */
  moveDataRoot?: boolean;
  proxy?: string;
  noProxy?: string;
  imageStore?: ImageStore;
}

/** Engine 29 made the containerd image store the default of fresh installs. */
const CONTAINERD_STORE_DEFAULT_FROM = 29;
/** The containerd image store (features.containerd-snapshotter) exists from Engine 24. */
const CONTAINERD_STORE_FROM = 24;
/** daemon.json "proxies" exists from Engine 23; before it, the proxy is the unit's environment. */
export const DAEMON_JSON_PROXIES_FROM = 23;

export function majorOf(version: string | undefined): number | undefined {
  const m = version === undefined ? undefined : /^(\d+)/.exec(version);
  return m ? Number(m[1]) : undefined;
}

/** The engine the plan is for: the version asked to install, else the one installed (undefined: not known yet). */
export function engineMajor(facts: Facts, dockerVersion: string | undefined): number | undefined {
  return majorOf(dockerVersion?.replace(/^\d+:/, '') ?? facts.versions.engine ?? facts.daemonInfo?.serverVersion);
}

/** The image store the running daemon uses, from docker info (undefined: it does not say). */
export function currentImageStore(facts: Facts): ImageStore | undefined {
  const info = facts.daemonInfo;
  if (!info?.driver) return undefined;
  return info.driverType === 'io.containerd.snapshotter.v1' ? 'containerd' : 'overlay2';
}

/** The image-store keys: the classic overlay2 graph driver (dockhand's default), or containerd's store. */
export function imageStoreWants(store: ImageStore, driver: string, major: number | undefined, explicit: boolean): Want[] {
  const source = explicit ? `--image-store ${store}` : 'image store (default overlay2)';
  if (store === 'containerd') {
    const why =
      major !== undefined && major >= CONTAINERD_STORE_DEFAULT_FROM
        ? `the containerd image store (Engine ${major}'s default on fresh installs): images kept by containerd's snapshotter`
        : `the containerd image store (an opt-in feature of Engine ${major ?? '≥24'}; the default from Engine 29): images kept by containerd's snapshotter`;
    return [
      { path: ['storage-driver'], value: undefined, source, why: 'a graph driver would override the containerd store' },
      { path: ['features', 'containerd-snapshotter'], value: true, source, why },
    ];
  }
  const wants: Want[] = [{ path: ['storage-driver'], value: driver, source, why: `the classic ${driver} graph driver (docker info: ${driver})` }];
  // Engine ≥ 29 (or one not installed yet, which may be) would pick the containerd store on a fresh install.
  if (major === undefined || major >= CONTAINERD_STORE_DEFAULT_FROM) {
    wants.push({
      path: ['features', 'containerd-snapshotter'],
      value: false,
      source,
      why: `Engine 29 and newer default to the containerd image store on fresh installs; false keeps the ${driver} graph driver`,
    });
  }
  return wants;
}

/** Everything the options ask for, in the order the plan lists it. Throws for what the engine cannot do. */
export function daemonWants(facts: Facts, options: DaemonOptions, ctx: { driver: string; dockerVersion?: string; hasSystemd: boolean }): Want[] {
  const major = engineMajor(facts, ctx.dockerVersion);
  const store = options.imageStore ?? 'overlay2';
  if (store === 'containerd' && major !== undefined && major < CONTAINERD_STORE_FROM) {
    throw new PreconditionError(facts.host, `--image-store containerd needs Engine ${CONTAINERD_STORE_FROM} or newer; this host has ${major}`, 'install a newer engine (--source docker, --docker-version), or keep --image-store overlay2');
  }
  const wants: Want[] = [...imageStoreWants(store, ctx.driver, major, options.imageStore !== undefined)];

  for (const [key, value] of Object.entries(options.settings ?? {})) {
    wants.push({ path: key.split('.'), value: value === null ? undefined : value, source: 'daemon setting', why: value === null ? 'removed' : 'set as given' });
  }
  if (options.logMaxSize !== undefined || options.logMaxFile !== undefined) {
    const size = options.logMaxSize ?? '10m';
    const files = options.logMaxFile ?? 3;
    const why = `container logs rotate at ${size}, ${files} file${files === 1 ? '' : 's'} kept (at most ${describeSize(size, files)} per container); applies to containers created from now on`;
    wants.push({ path: ['log-opts', 'max-size'], value: size, source: '--log-max-size/--log-max-file', why });
    wants.push({ path: ['log-opts', 'max-file'], value: String(files), source: '--log-max-size/--log-max-file', why });
  }
  if (options.liveRestore !== undefined) {
    wants.push({
      path: ['live-restore'],
      value: options.liveRestore,
      source: options.liveRestore ? '--live-restore' : '--no-live-restore',
      why: options.liveRestore ? 'containers keep running while dockerd restarts or is upgraded (not with Swarm)' : 'containers stop when dockerd stops',
    });
  }
  if (options.registryMirrors !== undefined) {
    const mirrors = options.registryMirrors.map(normalizeMirror);
    wants.push({ path: ['registry-mirrors'], value: mirrors, source: '--registry-mirror', why: mirrors.length ? 'Docker Hub pulls try these mirrors first' : 'no registry mirrors' });
  }
  if (options.dataRoot !== undefined) {
    wants.push({ path: ['data-root'], value: options.dataRoot.replace(/\/+$/, ''), source: '--data-root', why: 'where dockerd keeps images, containers and volumes' });
  }
  if ((options.proxy !== undefined || options.noProxy !== undefined) && proxyInDaemonJson(major, ctx.hasSystemd)) {
    const why = "the daemon's own traffic (pulls, pushes) goes through the proxy; containers are not affected";
    if (options.proxy !== undefined) {
      wants.push({ path: ['proxies', 'http-proxy'], value: options.proxy, source: '--proxy', why });
      wants.push({ path: ['proxies', 'https-proxy'], value: options.proxy, source: '--proxy', why });
    }
    if (options.noProxy !== undefined) wants.push({ path: ['proxies', 'no-proxy'], value: options.noProxy, source: '--no-proxy', why: 'hosts reached without the proxy' });
  }
  refuseLogOptsForOtherDrivers(facts, wants);
  return wants;
}

/**
 * daemon.json `proxies` needs Engine 23; an engine not installed yet or older gets a systemd drop-in
 * (every version reads it). Without systemd, only daemon.json.
 */
export function proxyInDaemonJson(major: number | undefined, hasSystemd: boolean): boolean {
  return !hasSystemd || (major !== undefined && major >= DAEMON_JSON_PROXIES_FROM);
}

function describeSize(size: string, files: number): string {
  const n = Number(size.slice(0, -1)) * files;
  return `${n}${size.slice(-1)}`;
}

/** max-size/max-file mean nothing to journald, syslog, …: say so rather than write keys that do nothing. */
function refuseLogOptsForOtherDrivers(facts: Facts, wants: Want[]): void {
  if (!wants.some((w) => w.path[0] === 'log-opts' && (w.path[1] === 'max-size' || w.path[1] === 'max-file'))) return;
  const wanted = wants.find((w) => w.path.length === 1 && w.path[0] === 'log-driver')?.value;
  const driver = (wanted ?? readKey(currentDaemonJson(facts), ['log-driver'])) as unknown;
  if (driver === undefined || driver === 'json-file' || driver === 'local') return;
  throw new PreconditionError(
    facts.host,
    `--log-max-size/--log-max-file apply to the json-file and local log drivers; daemon.json sets log-driver ${JSON.stringify(driver)}`,
    'rotate with that driver\'s own settings (--daemon-opt log-opts.…), or switch with --daemon-opt log-driver=local',
  );
}

/** The facts' daemon.json as an object when it parses ({} otherwise: daemon-json.ts reports bad files). */
function currentDaemonJson(facts: Facts): DaemonConfig {
  try {
    const parsed: unknown = facts.daemonJson.content ? JSON.parse(facts.daemonJson.content) : {};
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as DaemonConfig) : {};
  } catch {
    return {};
  }
}

/** The plan's notes for a set of changes: what each option does, and the user's own values replaced. */
export function changeNotes(changes: readonly DaemonChange[]): string[] {
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const c of changes) {
    const line = `${c.source}: ${c.why}`;
    if (c.source.startsWith('image store (default') || seen.has(line)) continue;
    seen.add(line);
    notes.push(line);
  }
  const replaced = changes.filter((c) => c.from !== undefined && c.to !== undefined);
  if (replaced.length) notes.push(`replaces a value the host's daemon.json sets: ${replaced.map(describeChange).join(', ')}`);
  return notes;
}

/** Keys that decide which storage (driver, image store, root) the daemon uses: changing them can hide data. */
const STORAGE_KEYS = new Set(['storage-driver', 'features.containerd-snapshotter', 'data-root']);

export function storageKeysChanged(changes: readonly DaemonChange[]): DaemonChange[] {
  return changes.filter((c) => STORAGE_KEYS.has(c.key));
}

/** What the host has in its current store/root: from docker info when the daemon answered, else the data root's listing. */
export function dataHeld(facts: Facts): { images?: number; containers?: number; where: string; known: boolean } {
  const info = facts.daemonInfo;
  const root = facts.dockerRoot;
  const where = info?.rootDir ?? root.path;
  if (info?.images !== undefined && info.containers !== undefined) return { images: info.images, containers: info.containers, where, known: true };
  if (!root.exists) return { images: 0, containers: 0, where, known: true };
  if (root.imageCount !== undefined && root.containerCount !== undefined) return { images: root.imageCount, containers: root.containerCount, where, known: true };
  return { where, known: false };
}

/**
 * A storage driver, image store or data root switch hides the images and containers of the old one
 * (they stay on disk, unseen): refused unless --allow-storage-switch, saying what would be hidden.
 * `target`: the driver directory the new store keeps its data in (overlay2, or overlayfs for containerd's).
 */
export function refuseHidingData(facts: Facts, changes: readonly DaemonChange[], target: string, allow: boolean, moving = false): void {
  if (allow) return;
  const storage = storageKeysChanged(changes);
  const rootMove = storage.find((c) => c.key === 'data-root');
  const storeSwitch = storage.filter((c) => c.key !== 'data-root');
  const held = dataHeld(facts);
  const counted = held.known ? `${held.images} image(s) and ${held.containers} container(s)` : undefined;
  if (rootMove && !moving && rootMoveHidesData(facts, rootMove)) {
    throw new PreconditionError(
      facts.host,
      `data-root ${describeChange(rootMove).slice('data-root: '.length)} would leave ${counted ?? 'the images and containers (dockhand could not count them: docker info and the data root are not readable to this user)'} behind in ${held.where}; the daemon would start empty`,
      `pass --move-data-root to move the data with it (stop, copy, verify, switch; the old root is kept), or --allow-storage-switch to start with an empty root (the old data stays on disk)`,
    );
  }
  if (storeSwitch.length === 0 || storeSwitch.every((c) => isNoOpForRunningDaemon(facts, c))) return;
  const fromInfo = currentImageStore(facts) !== undefined && held.known;
  // Without docker info, the data root's listing: data of another driver than the target is what hides.
  const others = facts.dockerRoot.driversWithData.filter((d) => d !== target);
  const hides = fromInfo ? (held.images ?? 0) + (held.containers ?? 0) > 0 : others.length > 0 && !(held.known && held.images === 0 && held.containers === 0);
  if (!hides) return;
  const store = fromInfo ? `the ${currentImageStore(facts) === 'containerd' ? 'containerd image store' : `${facts.daemonInfo?.driver} driver`}` : others.join(', ');
  const to = target === 'overlayfs' ? 'the image store to containerd' : `the storage driver to ${target}`;
  throw new PreconditionError(
    facts.host,
    `switching ${to} would hide ${counted ?? 'the images and containers'} stored under ${store} in ${held.where} (${storeSwitch.map(describeChange).join(', ')}); they stay on disk, unseen`,
    'save what you need first (docker save / docker export), or pass --allow-storage-switch (nothing is deleted; switching back shows them again)',
  );
}

/** A data-root change that leaves images or containers behind (the daemon runs elsewhere and the old root is not known empty). */
function rootMoveHidesData(facts: Facts, c: DaemonChange): boolean {
  const held = dataHeld(facts);
  return !isNoOpForRunningDaemon(facts, c) && !(held.known && held.images === 0 && held.containers === 0);
}

/** The move --move-data-root asks for, when the data root changes and the old one holds data (undefined: nothing to move). */
export function dataRootMoveFor(facts: Facts, changes: readonly DaemonChange[], options: DaemonOptions, hasSystemd: boolean): DataRootMove | undefined {
  const c = changes.find((x) => x.key === 'data-root');
  if (!options.moveDataRoot || !c || typeof c.to !== 'string' || !rootMoveHidesData(facts, c)) return undefined;
  return planDataRootMove(facts, c.to, { hasSystemd, containerd: containerdRootFollows(facts) });
}

/** On the containerd image store with the system containerd, the images are in containerd's root: it moves too. */
export function containerdRootFollows(facts: Facts): boolean {
  return currentImageStore(facts) === 'containerd' && usesSystemContainerd(facts);
}

/**
 * Whether the plan needs the move's facts (measured as root, a second round trip): --move-data-root
 * with a data root other than the one the daemon uses. The command measures only then.
 */
export function moveFactsWanted(facts: Facts, options: DaemonOptions | undefined): { from: string; to: string; containerdRoot?: string } | undefined {
  // --data-root, or the inventory's daemon: data-root (a daemon.json key like any other there).
  const wanted = options?.dataRoot ?? options?.settings?.['data-root'];
  if (!options?.moveDataRoot || typeof wanted !== 'string') return undefined;
  const to = wanted.replace(/\/+$/, '');
  const from = currentRoot(facts);
  if (to === from) return undefined;
  return containerdRootFollows(facts) ? { from, to, containerdRoot: CONTAINERD_DEFAULT_ROOT } : { from, to };
}

/** A storage key that only writes down what the running daemon already does (docker info says so). */
function isNoOpForRunningDaemon(facts: Facts, c: DaemonChange): boolean {
  const info = facts.daemonInfo;
  const store = currentImageStore(facts);
  if (c.key === 'storage-driver') return c.to === undefined ? store === 'containerd' : store === 'overlay2' && info?.driver === c.to;
  if (c.key === 'features.containerd-snapshotter') return store === (c.to === true ? 'containerd' : 'overlay2');
  if (c.key === 'data-root') return info?.rootDir !== undefined && info.rootDir === c.to;
  return false;
}

/** The proxy for engines before daemon.json `proxies` (or not installed yet): the unit's environment. */
export const PROXY_DROPIN = '/etc/systemd/system/docker.service.d/dockhand-proxy.conf';

export function proxyDropInContent(proxy: string | undefined, noProxy: string | undefined): string {
  const env = [
    ...(proxy ? [`HTTP_PROXY=${proxy}`, `HTTPS_PROXY=${proxy}`] : []),
    ...(noProxy ? [`NO_PROXY=${noProxy}`] : []),
  ];
  return `# Written by dockhand (--proxy/--no-proxy): the Docker daemon's own proxy.\n[Service]\n${env.map((e) => `Environment="${e}"`).join('\n')}\n`;
}

export interface DaemonSettingsPlan {
  /** The new daemon.json, when it changes. */
  daemonJson?: { content: string; changes: string[]; previousHash: string | 'absent' };
  /** Every key that changes, with the option behind it. */
  changes: DaemonChange[];
  /** The proxy drop-in to write, when it changes. */
  proxyDropIn?: { path: string; content: string };
  /** What the plan says about the changes (what each option does, values replaced). */
  notes: string[];
  imageStore: ImageStore;
  /** --move-data-root: the old root's data moves; the move writes daemon.json and restarts docker itself. */
  move?: DataRootMove;
}

export interface DaemonSettingsInput {
  facts: Facts;
  options: DaemonOptions;
  /** The playbook's storage driver (overlay2). */
  driver: string;
  dockerVersion?: string;
  hasSystemd: boolean;
  allowStorageSwitch: boolean;
}

/**
 * The whole daemon configuration decision: wants merged into the host's daemon.json (parsed by
 * daemon-json.ts: an invalid file stops the plan), the storage refusals, the flag conflicts.
 */
export function planDaemonSettings(input: DaemonSettingsInput, existing: DaemonConfig, previousHash: string | 'absent'): DaemonSettingsPlan {
  const { facts, options } = input;
  const store = options.imageStore ?? 'overlay2';
  const wants = daemonWants(facts, options, input);
  const { merged, changes } = mergeWants(existing, wants);
  // A clash makes dockerd refuse to start at all: said before what a switch would hide.
  if (changes.length) refuseFlagConflicts(facts, merged, new Set(changes.map((c) => c.key.split('.')[0]!)));
  const move = dataRootMoveFor(facts, changes, options, input.hasSystemd);
  refuseHidingData(facts, changes, store === 'containerd' ? 'overlayfs' : input.driver, input.allowStorageSwitch, move !== undefined);
  const notes = changeNotes(changes);
  if (move) notes.push(...moveNotes(move));
  if (!move && changes.some((c) => c.key === 'data-root') && (store === 'containerd' || currentImageStore(facts) === 'containerd') && usesSystemContainerd(facts)) {
    notes.push(`with the containerd image store, images are kept by the system containerd (its root, ${CONTAINERD_DEFAULT_ROOT} by default), which data-root alone does not move: --move-data-root moves both`);
  }
  let proxyDropIn: DaemonSettingsPlan['proxyDropIn'];
  if ((options.proxy !== undefined || options.noProxy !== undefined) && !proxyInDaemonJson(engineMajor(facts, input.dockerVersion), input.hasSystemd)) {
    const content = proxyDropInContent(options.proxy, options.noProxy);
    const current = facts.daemonUnit?.dropIns.find((f) => f.path === PROXY_DROPIN)?.content;
    if (current !== content) {
      proxyDropIn = { path: PROXY_DROPIN, content };
      notes.push(`--proxy: the daemon's own traffic goes through ${redactUrl(options.proxy ?? '(no proxy)')} (a systemd drop-in: daemon.json "proxies" needs Engine ${DAEMON_JSON_PROXIES_FROM})`);
    }
  }
  return {
    daemonJson: changes.length ? { content: renderDaemonJson(merged), changes: changes.map(describeChange), previousHash } : undefined,
    changes,
    proxyDropIn,
    notes,
    imageStore: store,
    move,
  };
}

/** The verify step's check that the daemon uses the store (and root) asked for. */
export function storageCheckLines(store: ImageStore, driver: string, dataRoot: string | undefined): { summary: string; lines: string[] } {
  const root = dataRoot?.replace(/\/+$/, '');
  const rootLines = root
    ? [`root=$(docker info --format '{{.DockerRootDir}}')`, `if [ "$root" != ${shQuote(root)} ]; then echo "data root is $root, expected ${root}" >&2; exit 1; fi`]
    : [];
  if (store === 'containerd') {
    return {
      summary: `image store is containerd's${root ? `, data root ${root}` : ''}`,
      lines: [
        `status=$(docker info --format '{{.DriverStatus}}')`,
        `case $status in *io.containerd.snapshotter.v1*) ;; *) echo "the daemon does not use the containerd image store (driver $(docker info --format '{{.Driver}}'))" >&2; exit 1 ;; esac`,
        ...rootLines,
        `echo "image store: containerd ($(docker info --format '{{.Driver}}'))"`,
      ],
    };
  }
  return {
    summary: `storage driver is ${driver}${root ? `, data root ${root}` : ''}`,
    lines: [
      `driver=$(docker info --format '{{.Driver}}')`,
      `if [ "$driver" != ${shQuote(driver)} ]; then echo "storage driver is $driver, expected ${driver}" >&2; exit 1; fi`,
      ...rootLines,
      'echo "storage driver: $driver"',
    ],
  };
}
