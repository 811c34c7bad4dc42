/**
 * Why did dockerd fail to start? Recognised from the unit's last journal lines (pure).
 * Patterns are dockerd's and systemd's own messages across Engine 20–29.
 */
export type DaemonFailure =
  | 'invalid-config'
  | 'hosts-conflict'
  | 'start-limit'
  | 'storage'
  | 'iptables'
  | 'containerd'
  | 'tcp-without-tls'
  | 'socket-path';

export const CONTAINERD_FAILURE =
  /failed to dial "?\/run\/containerd\/containerd\.sock|containerd\.sock.*(connection refused|no such file or directory)|failed to start containerd|timeout waiting for containerd/i;

const PATTERNS: Array<[DaemonFailure, RegExp]> = [
  ['hosts-conflict', /specified both as a flag and in the configuration file:.*\bhosts\b/i],
  ['invalid-config', /unable to configure the docker daemon with file|invalid character .* looking for|cannot unmarshal|directives don't match any configuration option|daemon\.json.*(invalid|error)/i],
  ['start-limit', /start request repeated too quickly|start-limit-hit/i],
  ['storage', /error initializing graphdriver|graphdriver|driver not supported|overlay2? is not supported|backing file system is unsupported|d_type/i],
  ['iptables', /failed to create NAT chain|iptables failed|error initializing network controller|iptables: /i],
  // Only failures: dockerd logs containerd.sock in routine grpc info lines too.
  ['containerd', CONTAINERD_FAILURE],
  ['tcp-without-tls', /without --tlsverify|--tls=false|binding to (an )?ip address without/i],
  ['socket-path', /docker\.sock: (bind: )?(address already in use|is a directory)|can't create unix socket/i],
];

export interface RecognisedFailure {
  reason: DaemonFailure;
  line: string;
}

/** The most specific recognised reason, preferring the latest line for each pattern. */
export function recogniseDaemonFailure(lines: readonly string[], unitResult?: string): RecognisedFailure | undefined {
  for (const [reason, re] of PATTERNS) {
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = lines[i]!;
      // start-limit is a consequence: only name it when nothing explains the failures themselves.
      if (reason !== 'start-limit' && re.test(line)) return { reason, line };
    }
  }
  if (unitResult === 'start-limit-hit') return { reason: 'start-limit', line: 'systemd: Result=start-limit-hit' };
  const limit = [...lines].reverse().find((l) => PATTERNS[2]![1].test(l));
  return limit ? { reason: 'start-limit', line: limit } : undefined;
}
