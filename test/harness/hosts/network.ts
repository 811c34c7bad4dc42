/**
 * The test hosts' network: one bridge per run on this machine, one network namespace per host joined
 * to it by a veth pair, addresses from the benchmarking range 198.18.0.0/15 (clearly ours). The hosts
 * may reach each other, this machine, and the Debian mirror's single address (masqueraded); every
 * other forwarded packet is rejected, so no test can generate traffic to anything else.
 *
 * Every name carries the run id, so a run's leftovers (after a crash or SIGKILL) can be found and
 * removed by the next run without touching anything that is not ours.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Mirror } from './mirror.js';
import { runOk, runSync } from './proc.js';

export const NAME_PREFIX = 'dht'; // bridge and veth names (interface names are at most 15 characters)
export const NETNS_PREFIX = 'dockhand-test-';
export const CHAIN_PREFIX = 'DHT-';
const COMMENT_PREFIX = 'dockhand-test-';

export interface RunNetwork {
  runId: string;
  bridge: string;
  /** e.g. 198.18.7.0/24 */
  subnet: string;
  gateway: string;
  mtu: number;
  mirror: Mirror;
}

export interface HostLink {
  netns: string;
  /** the netns as a path, for systemd-nspawn --network-namespace-path */
  netnsPath: string;
  veth: string;
  address: string;
}

const bridgeName = (runId: string) => `${NAME_PREFIX}${runId}`;
const chainName = (runId: string) => `${CHAIN_PREFIX}${runId}`;
const natComment = (runId: string) => `${COMMENT_PREFIX}${runId}`;

/** Creates the bridge and firewall rules for a run. Call teardownRunNetwork(runId) to undo. */
export async function createRunNetwork(runId: string, mirror: Mirror): Promise<RunNetwork> {
  const third = await pickFreeThirdOctet();
  const net: RunNetwork = {
    runId,
    bridge: bridgeName(runId),
    subnet: `198.18.${third}.0/24`,
    gateway: `198.18.${third}.1`,
    mtu: await mtuTowards(mirror.address),
    mirror,
  };
  const ip = (...args: string[]) => runOk('ip', args);
  await ip('link', 'add', net.bridge, 'mtu', String(net.mtu), 'type', 'bridge');
  await ip('addr', 'add', `${net.gateway}/24`, 'dev', net.bridge);
  await ip('link', 'set', net.bridge, 'up');

  writeFileSync('/proc/sys/net/ipv4/ip_forward', '1\n');
  const ipt = (...args: string[]) => runOk('iptables', ['-w', ...args]);
  const chain = chainName(runId);
  await ipt('-N', chain);
  await ipt('-A', chain, '-s', net.subnet, '-d', net.subnet, '-j', 'ACCEPT');
  await ipt('-A', chain, '-s', net.subnet, '-d', mirror.address, '-j', 'ACCEPT');
  await ipt('-A', chain, '-s', mirror.address, '-d', net.subnet, '-m', 'conntrack', '--ctstate', 'ESTABLISHED,RELATED', '-j', 'ACCEPT');
  // REJECT rather than DROP: a test that tries to leave gets an immediate error, not a hang.
  await ipt('-A', chain, '-j', 'REJECT', '--reject-with', 'icmp-admin-prohibited');
  await ipt('-I', 'FORWARD', '1', '-s', net.subnet, '-j', chain);
  await ipt('-I', 'FORWARD', '1', '-d', net.subnet, '-j', chain);
  await ipt('-t', 'nat', '-I', 'POSTROUTING', '1', '-s', net.subnet, '-d', mirror.address,
    '-m', 'comment', '--comment', natComment(runId), '-j', 'MASQUERADE');
  return net;
}

/** A network namespace for one host, wired to the run's bridge, with its address and routes set. */
export async function addHostLink(net: RunNetwork, index: number, hostName: string): Promise<HostLink> {
  const netns = `${NETNS_PREFIX}${net.runId}-${hostName}`;
  const veth = `${NAME_PREFIX}${net.runId}h${index}`;
  const address = `${net.gateway.replace(/\.1$/, '')}.${10 + index}`;
  const ip = (...args: string[]) => runOk('ip', args);
  const mtu = String(net.mtu);
  await ip('netns', 'add', netns);
  await ip('link', 'add', veth, 'mtu', mtu, 'type', 'veth', 'peer', 'name', 'eth0', 'mtu', mtu, 'netns', netns);
  await ip('link', 'set', veth, 'master', net.bridge, 'up');
  await ip('-n', netns, 'link', 'set', 'lo', 'up');
  await ip('-n', netns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
  await ip('-n', netns, 'link', 'set', 'eth0', 'up');
  await ip('-n', netns, 'route', 'add', 'default', 'via', net.gateway);
  return { netns, netnsPath: `/run/netns/${netns}`, veth, address };
}

/**
 * Removes everything a run created on this machine: NAT and FORWARD rules, its chain, veths, bridge,
 * network namespaces. Idempotent and synchronous (it also runs from a process 'exit' handler).
 */
export function teardownRunNetwork(runId: string): void {
  for (const table of ['nat', 'filter'] as const) {
    const rules = runSync('iptables', ['-w', '-t', table, '-S']).stdout.split('\n');
    for (const rule of rules) {
      const ours = rule.includes(`--comment ${natComment(runId)}`) || rule.endsWith(`-j ${chainName(runId)}`);
      if (ours && rule.startsWith('-A ')) runSync('iptables', ['-w', '-t', table, '-D', ...rule.slice(3).split(' ')]);
    }
  }
  runSync('iptables', ['-w', '-F', chainName(runId)]);
  runSync('iptables', ['-w', '-X', chainName(runId)]);
  for (const link of listLinks()) {
    if (link.startsWith(`${NAME_PREFIX}${runId}h`)) runSync('ip', ['link', 'del', link]);
  }
  runSync('ip', ['link', 'del', bridgeName(runId)]);
  for (const ns of listNetns()) {
    if (ns.startsWith(`${NETNS_PREFIX}${runId}-`)) runSync('ip', ['netns', 'del', ns]);
  }
}

/** Run ids that have anything left on this machine (namespaces, links, chains, NAT rules). */
export function runIdsWithLeftovers(): Set<string> {
  const ids = new Set<string>();
  const idPattern = '([0-9a-f]{6})';
  for (const ns of listNetns()) {
    const m = ns.match(new RegExp(`^${NETNS_PREFIX}${idPattern}-`));
    if (m?.[1]) ids.add(m[1]);
  }
  for (const link of listLinks()) {
    const m = link.match(new RegExp(`^${NAME_PREFIX}${idPattern}(h\\d+)?$`));
    if (m?.[1]) ids.add(m[1]);
  }
  const rules = ['nat', 'filter'].flatMap((t) => runSync('iptables', ['-w', '-t', t, '-S']).stdout.split('\n'));
  for (const rule of rules) {
    const m = rule.match(new RegExp(`(?:${CHAIN_PREFIX}|--comment ${COMMENT_PREFIX})${idPattern}\\b`));
    if (m?.[1]) ids.add(m[1]);
  }
  return ids;
}

export function listNetns(): string[] {
  return runSync('ip', ['netns', 'list']).stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter(Boolean);
}

export function listLinks(): string[] {
  return runSync('ip', ['-o', 'link', 'show'])
    .stdout.split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0] ?? '')
    .filter(Boolean);
}

/** iptables rules (nat and filter) that mention a run, for leak checks in tests. */
export function iptablesRulesOf(runId: string): string[] {
  return ['nat', 'filter']
    .flatMap((t) => runSync('iptables', ['-w', '-t', t, '-S']).stdout.split('\n'))
    .filter((r) => r.includes(chainName(runId)) || r.includes(natComment(runId)));
}

async function pickFreeThirdOctet(): Promise<number> {
  const used = new Set(
    [...(await runOk('ip', ['-4', '-o', 'addr', 'show'])).matchAll(/inet 198\.18\.(\d+)\./g)].map((m) => Number(m[1])),
  );
  const free = Array.from({ length: 254 }, (_, i) => i + 1).filter((n) => !used.has(n));
  const pick = free[Math.floor(Math.random() * free.length)];
  if (pick === undefined) throw new Error('no free /24 left in 198.18.0.0/16 for test hosts');
  return pick;
}

/** The MTU of the interface this machine uses to reach the mirror: the hosts' TCP must fit through it. */
async function mtuTowards(address: string): Promise<number> {
  const route = await runOk('ip', ['-o', 'route', 'get', address]);
  const dev = route.match(/\bdev (\S+)/)?.[1];
  if (!dev) return 1500;
  const mtu = Number(readFileSync(`/sys/class/net/${dev}/mtu`, 'utf8').trim());
  return Number.isFinite(mtu) && mtu >= 576 ? mtu : 1500;
}
