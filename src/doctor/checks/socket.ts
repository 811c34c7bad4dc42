import { describeApi, describeStat, octal, pass, fail, skip, type CheckFn, type CheckInput } from './types.js';

const DEFAULT_SOCKETS = ['/var/run/docker.sock', '/run/docker.sock'];
const isDefaultSocket = (p?: string) => p !== undefined && DEFAULT_SOCKETS.includes(p);

const noLocalSocket = (i: CheckInput) => (i.socketPath ? undefined : skip(`the endpoint ${i.endpoint.endpoint} is not a local socket`));

/** The socket path is a directory or a plain file (a bind mount made it while Docker was down). */
export const socketPath: CheckFn = (i) => {
  const s = i.socket;
  if (!i.socketPath || !s) return skip(`the endpoint ${i.endpoint.endpoint} is not a local socket`);
  const ev = [describeStat(s)];
  // Nothing there is socket.exists' finding; a path whose type could not be read proves nothing.
  if (!s.exists) return skip(`nothing at ${s.path} (see socket.exists)`);
  if (s.type === undefined) return skip(`the type of ${s.path} could not be read`);
  if (s.type === 'socket') return pass(ev);
  if (i.primary?.error) ev.push(describeApi(i.primary));
  if (s.type === 'directory') return fail(`${s.path} is a directory, not a socket`, ev, { vars: { socket: s.path } });
  return fail(`${s.path} is not a socket (${s.type})`, ev, { vars: { socket: s.path } });
};

/** The socket exists and something listens on it. */
export const socketExists: CheckFn = (i) => {
  const skipped = noLocalSocket(i);
  if (skipped) return skipped;
  const s = i.socket!;
  const ev = [describeStat(s), describeApi(i.primary)];
  const kind = i.primary?.error?.kind;
  if (!s.exists || kind === 'ENOENT') return fail(`no socket at ${i.socketPath}`, ev, { vars: { socket: i.socketPath! } });
  if (kind === 'ECONNREFUSED') return fail(`stale socket ${i.socketPath}: nothing listens on it`, ev, { vars: { socket: i.socketPath! } });
  return pass(ev);
};

/** The API answers: no hang, no foreign protocol. */
export const apiPing: CheckFn = (i) => {
  const p = i.primary;
  if (!p) return skip('the API could not be probed from here');
  const ev = [describeApi(p)];
  if (p.ok) {
    if (p.version?.Version) ev.push(`Engine ${p.version.Version}${p.version.Os ? ` ${p.version.Os}/${p.version.Arch}` : ''}`);
    return pass(ev);
  }
  switch (p.error?.kind) {
    case 'EACCES':
    case 'ENOENT':
    case 'ECONNREFUSED':
    case 'EISDIR':
    case 'ENOTSOCK':
      return skip(`explained by the socket checks (${p.error.kind})`);
    case 'UNSUPPORTED':
      return skip(p.error.message);
    case 'ETIMEDOUT':
      return fail(`the socket accepts connections but the daemon has not answered in ${p.boundS ?? '?'} s`, [...ev, ...whyNoAnswer(i)], { fix: 'hang' });
    default:
      return fail(p.error ? `the API does not answer: ${p.error.message}` : `/_ping answered HTTP ${p.pingStatus}`, ev);
  }
};

/**
 * Why a daemon whose socket accepts does not answer, from units and journals: a start job still
 * running, containerd masked, failed or missing. Evidence only — lines as the host wrote them.
 */
export function whyNoAnswer(i: CheckInput): string[] {
  const out: string[] = [];
  const units = i.facts.init.system === 'systemd' ? i.facts.units : {};
  const svc = units['docker.service'];
  if (svc) out.push(`docker.service: ${svc.activeState}${svc.subState ? ` (${svc.subState})` : ''}${svc.activeState === 'activating' ? ' — its start job is still running' : ''}`);
  const c = units['containerd.service'];
  if (i.facts.init.system === 'systemd') {
    if (!c || c.loadState === 'not-found') out.push('containerd.service: not installed — dockerd waits for a containerd that never comes');
    else if (c.loadState === 'masked' || c.unitFileState === 'masked') out.push('containerd.service: masked — dockerd waits for a containerd that cannot start');
    else if (c.activeState !== 'active') out.push(`containerd.service: ${c.activeState}${c.result && c.result !== 'success' ? `, result ${c.result}` : ''}`);
  }
  for (const j of (i.client.jobs ?? []).filter((l) => /docker|containerd/.test(l))) out.push(`job: ${j.trim().replace(/\s+/g, ' ')}`);
  for (const l of (i.client.journal.containerd ?? []).slice(-2)) out.push(`journal containerd.service: ${l}`);
  for (const l of i.client.journal.docker.slice(-3)) out.push(`journal: ${l}`);
  return out;
}

/** Anyone on the host is root when the socket is world-writable: a SECURITY finding. */
export const socketWorldWritable: CheckFn = (i) => {
  const socks = [i.socket, ...i.client.sockets].filter(
    (s, n, all) => s?.exists && s.type === 'socket' && all.findIndex((t) => t?.path === s.path) === n,
  );
  const open = socks.filter((s) => ((s!.mode ?? 0) & 0o006) !== 0);
  if (open.length) {
    return fail(`${open[0]!.path} is accessible to every user (${octal(open[0]!.mode)}): anyone on this host is root`, open.map((s) => describeStat(s)), {
      vars: { socket: open[0]!.path },
    });
  }
  return pass(socks.length ? socks.map((s) => describeStat(s)) : ['no socket to examine']);
};

/** root:docker 0660 is what docker.socket creates. */
export const socketOwnership: CheckFn = (i) => {
  const s = i.socket;
  if (!s?.exists || s.type !== 'socket') return skip('no socket to examine');
  if (!isDefaultSocket(s.path)) return skip(`${s.path} is not the system socket`);
  const ev = [describeStat(s)];
  const g = i.facts.dockerGroup;
  if (g.gid !== undefined && s.gid !== undefined && s.gid !== g.gid && s.group !== 'docker') {
    ev.push(`group docker has gid ${g.gid}, the socket's group is ${s.group ?? s.gid}`);
    return fail(`${s.path} is owned by group ${s.group ?? s.gid}, not docker`, ev, { vars: { socket: s.path } });
  }
  if (((s.mode ?? 0) & 0o060) !== 0o060) {
    return fail(`${s.path} mode ${octal(s.mode)}: the docker group cannot use it`, ev, { vars: { socket: s.path } });
  }
  return pass(ev);
};

/** The checked user is in the docker group (database). */
export const userInGroup: CheckFn = (i) => {
  const u = i.client.user;
  if (u.uid === 0) return pass([`${u.name} is root`]);
  if (i.socket && !isDefaultSocket(i.socket.path)) return skip(`the client does not use the system socket`);
  const ev = [`${u.name} groups (database): ${u.databaseGroups.join(' ') || 'none'}`];
  if (u.databaseGroups.includes('docker')) return pass(ev);
  return fail(`${u.name} is not in the docker group`, ev, { vars: { user: u.name } });
};

/** In the group database but not in the session that runs docker: a new login is needed. */
export const sessionGroups: CheckFn = (i) => {
  const u = i.client.user;
  if (u.uid === 0) return pass([`${u.name} is root`]);
  if (!u.sessionGroups) return pass(['checked as a fresh login: the session gets the database groups']);
  const ev = [`database: ${u.databaseGroups.join(' ')}`, `this session: ${u.sessionGroups.join(' ')}`];
  if (u.sessionGroups.includes('docker')) return pass(ev);
  return fail(`${u.name} was added to docker, but this session started before that`, ev, { vars: { user: u.name } });
};

/** The decisive check: can this user open the socket? Real EACCES when probed, else from the mode bits. */
export const socketPermission: CheckFn = (i) => {
  const skipped = noLocalSocket(i);
  if (skipped) return skipped;
  const p = i.primary;
  const s = i.socket!;
  const ev = [describeStat(s), describeApi(p)];
  if (p?.error?.kind === 'EACCES') {
    return fail(`permission denied on ${s.path} for ${i.client.user.name}`, ev, { vars: { socket: s.path, user: i.client.user.name } });
  }
  if (p?.ok || i.client.user.uid === 0) return pass(ev);
  if (!p && s.exists) {
    const u = i.client.user;
    const groups = u.sessionGroups ?? u.databaseGroups;
    const mode = s.mode ?? 0;
    const allowed = (s.uid === u.uid && mode & 0o600) || (groups.includes(s.group ?? '\0') && (mode & 0o060) === 0o060) || (mode & 0o006) === 0o006;
    if (!allowed) return fail(`${u.name} cannot open ${s.path} (by its owner, group and mode)`, ev, { vars: { socket: s.path, user: u.name } });
  }
  return pass(ev);
};

export const checksSocket = { socketPath, socketExists, apiPing, socketWorldWritable, socketOwnership, userInGroup, sessionGroups, socketPermission };
