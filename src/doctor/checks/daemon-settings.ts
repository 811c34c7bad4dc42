/**
 * Checks of the daemon settings: container logs without rotation on a filling disk, and daemon.json
 * keys dockerd rejects. Evidence: daemon.json and the data root's free space (the shared facts), the daemon's
 * journal for the engine's own word on a rejected key.
 */
import { printableLine } from '../../core/text.js';
import { pass, skip, warn, fail, type CheckFn, type CheckInput } from './types.js';

/** Free space under the Docker root below which unbounded logs are worth a warning. */
const FILLING_PERCENT = 20;

function daemonJson(i: CheckInput): Record<string, unknown> | 'unreadable' | 'invalid' {
  const f = i.facts.daemonJson;
  if (!f.exists) return {};
  if (f.content === undefined) return 'unreadable';
  if (f.content.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(f.content);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : 'invalid';
  } catch {
    return 'invalid';
  }
}

export const logRotation: CheckFn = (i) => {
  const cfg = daemonJson(i);
  if (typeof cfg === 'string') return skip(`daemon.json is ${cfg}`);
  // daemon.json is what every new container gets (docker info's LoggingDriver says the same once loaded).
  const driver = typeof cfg['log-driver'] === 'string' ? cfg['log-driver'] : 'json-file';
  const opts = cfg['log-opts'] !== null && typeof cfg['log-opts'] === 'object' ? (cfg['log-opts'] as Record<string, unknown>) : {};
  const ev = [`log driver: ${printableLine(driver)}${cfg['log-driver'] === undefined ? ' (the default)' : ''}`];
  if (driver !== 'json-file') return pass([...ev, `${printableLine(driver)} does not keep unbounded files per container`]);
  if (typeof opts['max-size'] === 'string') return pass([...ev, `log-opts max-size ${printableLine(opts['max-size'])}, max-file ${printableLine(String(opts['max-file'] ?? 1))}`]);
  const free = i.facts.dockerRoot.diskFreePercent;
  ev.push('log-opts: no max-size (each container log grows without bound)');
  if (free === undefined) return skip('no log rotation, and the free space under the Docker root is unknown');
  ev.push(`${i.facts.dockerRoot.path}: ${free}% space free`);
  if (free < FILLING_PERCENT) return warn(`container logs grow without bound and ${i.facts.dockerRoot.path} has ${free}% free`, ev);
  return pass(ev);
};

/** Top-level daemon.json keys of dockerd (Engine 20–29, Linux; moby daemon/config). */
const KNOWN_KEYS = new Set([
  'allow-direct-routing', 'allow-nondistributable-artifacts', 'api-cors-header', 'authorization-plugins', 'bip', 'bip6', 'bridge',
  'bridge-accept-fwmark', 'builder', 'cdi-spec-dirs', 'cgroup-parent', 'cluster-advertise', 'cluster-store', 'cluster-store-opts',
  'containerd', 'containerd-namespace', 'containerd-plugins-namespace', 'cpu-rt-period', 'cpu-rt-runtime', 'data-root', 'debug',
  'default-address-pools', 'default-cgroupns-mode', 'default-gateway', 'default-gateway-v6', 'default-ipc-mode',
  'default-network-opts', 'default-runtime', 'default-shm-size', 'default-ulimits', 'dns', 'dns-opts', 'dns-search', 'exec-opts',
  'exec-root', 'experimental', 'features', 'firewall-backend', 'fixed-cidr', 'fixed-cidr-v6', 'group', 'host-gateway-ip',
  'host-gateway-ips', 'hosts', 'icc', 'init', 'init-path', 'insecure-registries', 'ip', 'ip-forward', 'ip-forward-no-drop',
  'ip-masq', 'ip6tables', 'iptables', 'ipv6', 'labels', 'live-restore', 'log-driver', 'log-format', 'log-level', 'log-opts',
  'max-concurrent-downloads', 'max-concurrent-uploads', 'max-download-attempts', 'metrics-addr', 'min-api-version', 'mtu',
  'network-control-plane-mtu', 'network-diagnostic-port', 'no-new-privileges', 'node-generic-resources', 'oom-score-adjust',
  'pidfile', 'proxies', 'raw-logs', 'registry-mirrors', 'rootless', 'runtimes', 'seccomp-profile', 'selinux-enabled',
  'shutdown-timeout', 'storage-driver', 'storage-opts', 'swarm-default-advertise-addr', 'tls', 'tlscacert', 'tlscert', 'tlskey',
  'tlsverify', 'userland-proxy', 'userland-proxy-path', 'userns-remap',
]);

/** The engine's own refusal in its journal: `… don't match any configuration option: a, b`. */
const REJECTED = /(?:don't match any configuration option|unknown (?:key|directive)s?)[^:]*:\s*(.+)$/i;

export const daemonJsonKeys: CheckFn = (i) => {
  const cfg = daemonJson(i);
  if (cfg === 'unreadable') return skip('daemon.json could not be read');
  if (cfg === 'invalid') return fail('daemon.json is not a JSON object: dockerd refuses to start with it', [`${i.facts.daemonJson.path}: invalid JSON`]);
  const journal = i.client.journal.docker.map((l) => REJECTED.exec(l)).find((m) => m);
  if (journal) return fail(`dockerd rejected daemon.json: ${printableLine(journal[1]!.trim())}`, [`journal: ${printableLine(journal[0])}`]);
  const keys = Object.keys(cfg);
  const unknown = keys.filter((k) => !KNOWN_KEYS.has(k));
  const ev = [`${i.facts.daemonJson.path}: ${keys.length ? keys.map(printableLine).join(', ') : 'no keys'}`];
  if (unknown.length) return warn(`daemon.json has key${unknown.length === 1 ? '' : 's'} dockerd does not know: ${unknown.map(printableLine).join(', ')} (it refuses to start with them)`, ev);
  return pass(ev);
};

export const checksDaemonSettings = { logRotation, daemonJsonKeys };
