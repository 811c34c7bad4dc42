/**
 * Checks for a user with rootless Docker (checks/60-rootless.yaml; evidence: src/doctor/rootless.ts):
 * their daemon runs as their user service, its socket is in their runtime directory, lingering keeps
 * it after logout, they have subordinate IDs, and — the classic confusion — their client talks to
 * that daemon, not to /var/run/docker.sock (or, for a user without one, not to a rootless socket).
 */
import { contextDirName } from '../endpoint.js';
import type { RootlessEvidence } from '../rootless.js';
import { describeStat, fail, pass, skip, type CheckFn, type CheckInput } from './types.js';

const NEEDED_IDS = 65_536;

/** The user has rootless Docker: their user unit exists, or dockhand set it up for them. */
function rootlessOf(i: CheckInput): RootlessEvidence | undefined {
  const r = i.client.rootless;
  return r && (r.unitFile === true || r.record) ? r : undefined;
}

const notRootless = (i: CheckInput) => skip(`${i.client.user.name} has no rootless Docker daemon set up`);

/** Their daemon's socket: in the runtime directory of their session, which is /run/user/UID under logind. */
function socketsOf(i: CheckInput, r: RootlessEvidence | undefined): string[] {
  const paths = [`/run/user/${i.client.user.uid}/docker.sock`];
  if (r?.runtimeDir) paths.push(`${r.runtimeDir}/docker.sock`);
  return [...new Set(paths)];
}

/**
 * The client's endpoint is the checked user's own rootless socket (and they have rootless Docker):
 * the system daemon's checks and fixes (restart docker.socket) do not apply to it; rootless.* do.
 */
export function isOwnRootlessEndpoint(i: CheckInput): boolean {
  const r = rootlessOf(i);
  return r !== undefined && socketsOf(i, r).some((p) => i.endpoint.endpoint === `unix://${p}`);
}

const journalTail = (r: RootlessEvidence) => r.journal.slice(-5).map((l) => `journal: ${l}`);

export const rootlessService: CheckFn = (i) => {
  const r = rootlessOf(i);
  if (!r) return notRootless(i);
  const s = r.service;
  if (!s) return skip(`${i.client.user.name}'s user manager did not answer (run the doctor as ${i.client.user.name}, in a login session)`);
  const ev = [`docker.service (user ${i.client.user.name}): ${s.loadState ?? '?'}, ${s.activeState}/${s.subState ?? '?'}, result ${s.result ?? '?'}, ${s.unitFileState ?? '?'}`];
  if (s.activeState === 'active') return pass(ev, { summary: `${i.client.user.name}'s rootless daemon runs as their user service` });
  const why = r.journal.length ? ` — ${r.journal[r.journal.length - 1]}` : '';
  return fail(`${i.client.user.name}'s rootless daemon is not running (docker.service ${s.activeState}${s.result && s.result !== 'success' ? `, ${s.result}` : ''})${why}`, [...ev, ...journalTail(r)], {
    vars: { user: i.client.user.name },
  });
};

export const rootlessSocket: CheckFn = (i) => {
  const r = rootlessOf(i);
  if (!r) return notRootless(i);
  const uid = i.client.user.uid;
  const stats = socketsOf(i, r).map((p) => i.client.sockets.find((s) => s.path === p) ?? { path: p, exists: false });
  const ev = stats.map(describeStat);
  const good = stats.find((s) => s.exists && s.type === 'socket' && s.uid === uid);
  if (!good) return fail(`no socket of ${i.client.user.name}'s rootless daemon in ${r.runtimeDir || `/run/user/${uid}`}`, ev);
  // Only read when the doctor runs as the checked user: a session without it (su, sudo) cannot find the socket.
  if (i.client.user.sessionGroups !== undefined && !i.client.env.XDG_RUNTIME_DIR) ev.push('XDG_RUNTIME_DIR is not set in this session (su or sudo without a login?)');
  return pass(ev, { summary: `socket ${good.path}` });
};

export const rootlessLinger: CheckFn = (i) => {
  const r = rootlessOf(i);
  if (!r) return notRootless(i);
  if (r.linger === undefined) return skip('lingering could not be read');
  const ev = [`/var/lib/systemd/linger/${i.client.user.name}: ${r.linger ? 'present' : 'absent'}`];
  if (r.linger) return pass(ev, { summary: `${i.client.user.name}'s user manager lingers: the daemon survives logout` });
  return fail(`${i.client.user.name} does not linger: their daemon stops at logout and does not start at boot`, ev, { vars: { user: i.client.user.name } });
};

export const rootlessSubIds: CheckFn = (i) => {
  const r = rootlessOf(i);
  if (!r) return notRootless(i);
  if (r.subuid === undefined || r.subgid === undefined) return skip('/etc/subuid or /etc/subgid could not be read');
  const ev = [`/etc/subuid: ${r.subuid} IDs`, `/etc/subgid: ${r.subgid} IDs`];
  if (r.subuid >= NEEDED_IDS && r.subgid >= NEEDED_IDS) return pass(ev);
  return fail(`${i.client.user.name} has too few subordinate IDs (needs ${NEEDED_IDS} in each file): images with files of other owners cannot be unpacked`, ev, { vars: { user: i.client.user.name } });
};

/** The client of a rootless user reaches their daemon; a user without one is not aimed at a rootless socket. */
export const rootlessClient: CheckFn = (i) => {
  const r = rootlessOf(i);
  const e = i.endpoint;
  const mine = socketsOf(i, r).map((p) => `unix://${p}`);
  const ev = [`the client uses ${e.endpoint} (${e.why})`];
  const viaHost = e.source === 'DOCKER_HOST';
  if (r) {
    if (mine.includes(e.endpoint)) return pass(ev, { summary: `${i.client.user.name}'s client talks to their rootless daemon (${e.endpoint})` });
    const hasContext = i.client.contextMeta[contextDirName('rootless')] !== undefined;
    const target = e.endpoint.startsWith('unix:///var/run/docker.sock') || e.endpoint.startsWith('unix:///run/docker.sock') ? 'the system daemon' : e.endpoint;
    return fail(`${i.client.user.name} has a rootless daemon, but the client talks to ${target} (${e.endpoint})`, [...ev, `rootless daemon: ${mine[0]}`], {
      vars: { socket: mine[0]!.slice('unix://'.length) },
      fix: viaHost ? 'docker-host' : hasContext ? undefined : 'create',
    });
  }
  if (mine.includes(e.endpoint)) {
    return fail(`the client talks to a rootless socket (${e.endpoint}), but ${i.client.user.name} has no rootless daemon set up`, ev, { fix: viaHost ? 'docker-host' : 'default' });
  }
  return notRootless(i);
};

export const checksRootless = { rootlessService, rootlessSocket, rootlessLinger, rootlessSubIds, rootlessClient };
