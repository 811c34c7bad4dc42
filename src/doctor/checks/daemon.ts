import type { UnitState } from '../../facts/types.js';
import { CONTAINERD_FAILURE, recogniseDaemonFailure } from '../journal.js';
import { pass, fail, warn, skip, type CheckFn, type CheckInput } from './types.js';
import { whyNoAnswer } from './socket.js';

/** A unit's record: read only under systemd (elsewhere there are none, and none is not evidence). */
const unit = (i: CheckInput, name: string): UnitState | undefined => {
  if (i.facts.init.system !== 'systemd') return undefined;
  const u = i.facts.units[name];
  return u && u.loadState !== 'not-found' ? u : undefined;
};

export function describeUnit(u: UnitState | undefined, name: string): string {
  if (!u) return `${name}: not installed`;
  const result = u.result && u.result !== 'success' ? `, result ${u.result}` : '';
  return `${name}: ${u.activeState}${u.subState ? ` (${u.subState})` : ''}, ${u.unitFileState || u.loadState}${result}`;
}

const lastJournal = (i: CheckInput, n = 5) => i.client.journal.docker.slice(-n).map((l) => `journal: ${l}`);
const systemd = (i: CheckInput) => i.facts.init.system === 'systemd';

/** The API answers: the only proof that dockerd is not merely a process waiting to start. */
const answers = (i: CheckInput) => i.defaultApi?.ok === true;

function daemonIsUp(i: CheckInput): boolean {
  // A dockerd process whose unit is still starting (waiting for containerd) is not up.
  const starting = unit(i, 'docker.service')?.activeState === 'activating';
  return answers(i) || unit(i, 'docker.service')?.activeState === 'active' || (!starting && Boolean(i.facts.dockerd)) || i.facts.serviceRunning?.docker === true;
}

/**
 * docker.service failed or keeps failing: name the reason from its journal. This is the cause;
 * "not running" is the consequence.
 */
/**
 * Problems visible in the configuration itself, before (or without) a journal: an unparsable
 * daemon.json, or "hosts" in daemon.json while the unit passes -H (dockerd refuses both).
 */
export function staticConfigProblem(i: CheckInput): { reason: 'invalid-config' | 'hosts-conflict'; line: string } | undefined {
  const json = i.facts.daemonJson;
  if (!json.exists || json.content === undefined || json.content.trim() === '') return undefined;
  let cfg: unknown;
  try {
    cfg = JSON.parse(json.content);
  } catch (err) {
    return { reason: 'invalid-config', line: `${json.path}: ${(err as Error).message}` };
  }
  const hosts = (cfg as { hosts?: unknown })?.hosts;
  const cmd = i.client.execStart ?? i.facts.dockerd?.cmdline ?? '';
  if (Array.isArray(hosts) && hosts.length && /(?:^|\s)(?:-H|--host)(?:[=\s]|$)/.test(cmd)) {
    return { reason: 'hosts-conflict', line: `${json.path} sets "hosts" and docker.service runs: ${cmd.replace(/^\{ path=\S+ ; argv\[\]=/, '').replace(/ ;.*$/, '')}` };
  }
  return undefined;
}

const FAILURE_SUMMARIES: Record<string, string> = {
  'invalid-config': 'dockerd refuses its configuration (/etc/docker/daemon.json)',
  'hosts-conflict': '"hosts" is set in daemon.json AND as -H in the unit: dockerd refuses both',
  'start-limit': 'docker.service hit its start limit (too many failures in a row)',
  storage: 'dockerd cannot initialise its storage driver',
  iptables: 'dockerd cannot set up iptables (NAT chain)',
  containerd: 'dockerd cannot reach containerd',
  'tcp-without-tls': 'dockerd refuses a TCP listener without TLS',
  'socket-path': 'dockerd cannot create its socket',
};

export const daemonStartFailure: CheckFn = (i) => {
  const svc = unit(i, 'docker.service');
  const failedUnit = svc && (svc.activeState === 'failed' || (svc.result && svc.result !== 'success'));
  const configProblem = staticConfigProblem(i);
  if (daemonIsUp(i) && !failedUnit) {
    // Running on the old configuration: the next restart (or reboot) fails.
    if (configProblem) return warn(`the next restart will fail: ${FAILURE_SUMMARIES[configProblem.reason]}`, [describeUnit(svc, 'docker.service'), configProblem.line], { fix: configProblem.reason });
    return pass([describeUnit(svc, 'docker.service')]);
  }
  // Without systemd there is no unit result and no unit journal: "no failure seen" is not "starts".
  if (!systemd(i) && !configProblem) return skip('no systemd: no unit state or journal to read a start failure from');
  if (!svc && !configProblem) return skip('docker.service is not installed');
  if (svc && !failedUnit && svc.activeState !== 'activating' && !configProblem) {
    return skip(`docker.service has not failed, but is not running either (${describeUnit(svc, 'docker.service')})`);
  }
  // The journal names what actually happened; the configuration only what would happen.
  const why = recogniseDaemonFailure(i.client.journal.docker, svc?.result) ?? configProblem;
  // Still starting and nothing fatal yet: not a failed start (the hang is reported where it shows).
  if (!why && !failedUnit && svc?.activeState === 'activating') return skip('docker.service is still starting (its start job runs); no fatal line yet');
  const ev = [describeUnit(svc, 'docker.service'), ...(why ? [`reason: ${why.line}`] : []), ...lastJournal(i)];
  // An unrecognised fatal line is the reason as dockerd wrote it, never replaced by a guess.
  const summary = !why
    ? `docker.service failed to start${svc?.result && svc.result !== 'success' ? ` (result ${svc.result})` : ''}; its journal has no fatal line from dockerd`
    : why.reason === 'unknown'
      ? `dockerd failed to start: ${why.line}`
      : FAILURE_SUMMARIES[why.reason]!;
  return fail(summary, ev, { fix: why?.reason ?? 'unknown' });
};

/** The daemon runs (a process, an active unit, or an answering default socket). */
export const daemonRunning: CheckFn = (i) => {
  const svc = unit(i, 'docker.service');
  const sock = unit(i, 'docker.socket');
  if (daemonIsUp(i)) {
    return pass([i.facts.dockerd ? `dockerd pid ${i.facts.dockerd.pid}: ${i.facts.dockerd.cmdline}` : describeUnit(svc, 'docker.service')]);
  }
  // The daemon the client really uses (rootless, Desktop, remote) answers: that is the one that matters.
  if (i.primary?.ok) return pass([`the client uses ${i.endpoint.endpoint}, which answers`, describeUnit(svc, 'docker.service')]);
  const ev = systemd(i) ? [describeUnit(svc, 'docker.service'), describeUnit(sock, 'docker.socket')] : ['no dockerd process', `service docker: ${i.facts.serviceRunning?.docker === false ? 'not running' : 'unknown'}`];
  return fail('the Docker daemon is not running', ev, { fix: !systemd(i) && i.facts.init.wsl ? 'wsl' : undefined });
};

/** Starts at boot: docker.service or docker.socket enabled. */
export const daemonEnabled: CheckFn = (i) => {
  if (!systemd(i)) return skip('no systemd');
  const svc = unit(i, 'docker.service');
  const sock = unit(i, 'docker.socket');
  if (!svc) return skip('docker.service is not installed');
  const on = (u?: UnitState) => ['enabled', 'enabled-runtime', 'static', 'indirect', 'alias'].includes(u?.unitFileState ?? '');
  const ev = [describeUnit(svc, 'docker.service'), describeUnit(sock, 'docker.socket')];
  if (svc.unitFileState === 'masked' || sock?.unitFileState === 'masked') return fail('docker is masked: it cannot start at all', ev, { fix: 'masked' });
  if (on(svc) || on(sock)) return pass(ev);
  return warn('Docker does not start at boot', ev);
};

/** docker.socket active while docker.service cannot start: every client call hangs. */
export const socketActivation: CheckFn = (i) => {
  const svc = unit(i, 'docker.service');
  const sock = unit(i, 'docker.socket');
  if (!svc || !sock) return skip('docker.socket is not used');
  const ev = [describeUnit(sock, 'docker.socket'), describeUnit(svc, 'docker.service')];
  if (sock.activeState === 'active' && svc.activeState !== 'active') {
    if (i.primary?.error?.kind === 'ETIMEDOUT') {
      return fail(`the socket accepts connections but the daemon has not answered in ${i.primary.boundS ?? '?'} s`, [`${i.primary.endpoint}: connection accepted, no answer`, ...whyNoAnswer(i)]);
    }
    return fail('docker.socket accepts connections but docker.service is down: clients hang', ev);
  }
  return pass(ev);
};

/** containerd must run before dockerd can. */
export const containerdRunning: CheckFn = (i) => {
  const c = unit(i, 'containerd.service');
  const proc = i.client.containerd ? `containerd pid ${i.client.containerd.pid}` : 'no containerd process';
  // Positive evidence only: a containerd process, an active unit, or a daemon that answers (it
  // cannot without containerd). An absent unit record or journal line says nothing.
  if (i.client.containerd || c?.activeState === 'active') return pass([proc, ...(c ? [describeUnit(c, 'containerd.service')] : [])]);
  if (c?.unitFileState === 'masked' || c?.loadState === 'masked') return fail('containerd is masked: dockerd cannot start', [proc, describeUnit(c, 'containerd.service')], { fix: 'masked' });
  if (answers(i)) return pass([proc, 'the Docker API answers (dockerd starts its own containerd when none is configured)']);
  // Without systemd, dockerd (started by `service docker start`) starts its own containerd.
  if (!systemd(i)) return skip('no containerd process; without systemd dockerd starts its own when it starts');
  const dialFailure = (i.client.journal?.docker ?? []).filter((l) => CONTAINERD_FAILURE.test(l)).slice(-2).map((l) => `journal: ${l}`);
  const own = (i.client.journal?.containerd ?? []).slice(-3).map((l) => `journal containerd.service: ${l}`);
  const ev = [proc, ...(c ? [describeUnit(c, 'containerd.service')] : systemd(i) ? ['containerd.service: not installed'] : []), ...dialFailure, ...own];
  return fail(dialFailure.length && !c ? 'dockerd cannot reach containerd' : 'containerd is not running', ev, { fix: c ? undefined : 'missing' });
};

/** The docker group exists; without it the socket is root:root and docker.socket fails 216/GROUP. */
export const dockerGroup: CheckFn = (i) => {
  const g = i.facts.dockerGroup;
  if (g.exists) return pass([`group docker: gid ${g.gid}${g.members.length ? `, members ${g.members.join(', ')}` : ', no members'}`]);
  const ev = ['group docker: missing'];
  const groupFailure = i.client.journal.socket.filter((l) => /216\/GROUP|group docker/i.test(l)).slice(-2);
  ev.push(...groupFailure.map((l) => `journal docker.socket: ${l}`));
  if (i.socket?.exists) ev.push(`${i.socket.path}: ${i.socket.owner}:${i.socket.group}`);
  return fail('the docker group does not exist', ev);
};

/**
 * A process named dockerd that root did not start is not the system daemon: the facts ignore it
 * (never read its argv or socket). It is the checked user's rootless daemon when its uid is theirs
 * and their rootless socket exists; anything else is a security smell — a process dressed as the
 * daemon, to be mistaken for it in `ps` or to serve a socket a DOCKER_HOST is pointed at.
 */
export const foreignDockerd: CheckFn = (i) => {
  const foreign = i.facts.foreignDockerd ?? [];
  if (!foreign.length && !i.facts.dockerdOwnersKnown) return skip('the owners of dockerd processes could not be read (no stat on the host)');
  if (!foreign.length) return pass([i.facts.dockerd ? `dockerd pid ${i.facts.dockerd.pid} runs as root` : 'no process named dockerd', 'no process named dockerd runs as another user']);
  const me = i.client.user;
  const rootless = me && i.client.sockets?.find((s) => s.path === `/run/user/${me.uid}/docker.sock` && s.exists && s.type === 'socket' && s.uid === me.uid);
  const who = (uid: number) => (me && uid === me.uid ? `uid ${uid} (${me.name})` : `uid ${uid}`);
  const ev = foreign.map((p) => `pid ${p.pid}: a process named dockerd run by ${who(p.uid)}, not root`);
  const strangers = foreign.filter((p) => !(rootless && me && p.uid === me.uid));
  if (!strangers.length) {
    return pass([...ev, `${rootless!.path}: socket owned by ${me!.name}: rootless Docker`], { summary: `the dockerd run by ${me!.name} is their rootless Docker` });
  }
  const pids = strangers.map((p) => p.pid).join(',');
  const summary = strangers.length === 1
    ? `a process named dockerd runs as ${who(strangers[0]!.uid)}, not root: not the system daemon`
    : `${strangers.length} processes named dockerd run as users other than root: not the system daemon`;
  return warn(summary, ev, { vars: { pids } });
};

export const checksDaemon = { foreignDockerd, daemonStartFailure, daemonRunning, daemonEnabled, socketActivation, containerdRunning, dockerGroup };
