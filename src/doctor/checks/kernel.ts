import { pass, fail, warn, skip, type CheckFn, type CheckInput } from './types.js';

const engineVersion = (i: CheckInput) => i.primary?.version?.Version ?? i.facts.versions.engine;
const majorMinor = (v?: string) => {
  const m = /^(\d+)\.(\d+)/.exec(v ?? '');
  return m ? [Number(m[1]), Number(m[2])] as const : undefined;
};

/** daemon.json "iptables": false — the daemon does not touch iptables, so it needs none. */
function iptablesDisabled(i: CheckInput): boolean {
  try {
    return JSON.parse(i.facts.daemonJson.content ?? '{}')?.iptables === false;
  } catch {
    return false;
  }
}

/** cgroup v2 needs Engine ≥ 20.10: older engines cannot start containers on it. */
export const cgroupVersion: CheckFn = (i) => {
  const cg = i.client.kernel?.cgroup ?? (i.primary?.info?.CgroupVersion === '2' ? 2 : i.primary?.info?.CgroupVersion === '1' ? 1 : undefined);
  const v = engineVersion(i);
  const mm = majorMinor(v);
  if (!cg) return skip('the cgroup version could not be read');
  if (!mm) return skip('engine version unknown');
  const ev = [`cgroup v${cg}`, `Engine ${v}`];
  if (cg === 2 && (mm[0] < 20 || (mm[0] === 20 && mm[1] < 10))) return fail(`Engine ${v} does not support cgroup v2 (20.10 or newer does)`, ev);
  return pass(ev);
};

/** dockerd needs iptables and its NAT table for container networking (unless "iptables": false). */
export const iptablesUsable: CheckFn = (i) => {
  const k = i.client.kernel!;
  if (iptablesDisabled(i)) return pass(['daemon.json sets "iptables": false: dockerd does not use iptables'], { summary: 'dockerd does not use iptables (daemon.json)' });
  if (!k.iptables) return fail('iptables is not installed: dockerd cannot set up container networking', ['no iptables on PATH']);
  const ev = [`iptables: ${k.iptables}${k.iptablesVersion ? ` (${k.iptablesVersion})` : ''}`];
  if (k.natStatus === undefined) return skip('the NAT table can only be read as root (no root, no passwordless sudo)');
  ev.push(`iptables -t nat -L: exit ${k.natStatus}`);
  if (k.natStatus !== 0) return fail("iptables cannot use the NAT table: dockerd fails with \"failed to create NAT chain DOCKER\"", ev);
  return pass(ev);
};

/** Containers reach the network only with net.ipv4.ip_forward=1 (dockerd sets it at start, if it may). */
export const ipForwarding: CheckFn = (i) => {
  const f = i.client.kernel?.ipForward;
  if (f === undefined) return skip('net.ipv4.ip_forward could not be read');
  const ev = [`net.ipv4.ip_forward = ${f ? 1 : 0}`];
  if (f) return pass(ev);
  // dockerd turns it on when it starts; off while it runs means something turned it off or forbade it.
  if (i.facts.dockerd) return warn('IP forwarding is off while dockerd runs: containers cannot reach the network', ev);
  return pass([...ev, 'dockerd is not running; it enables forwarding when it starts'], { summary: 'IP forwarding is off until dockerd starts' });
};

export const checksKernel = { cgroupVersion, iptablesUsable, ipForwarding };
