/**
 * Why did dockerd fail to start? Read from the FATAL line of the unit's journal (pure): dockerd
 * names its reason once, in `failed to start daemon: …` (Engine ≥ 23), `Error starting daemon: …`
 * (older), `unable to configure the Docker daemon with file …` or `failed to load listeners: …`;
 * logrus' `level=fatal msg="…"` is unwrapped. Info and warning lines are never the reason: dockerd
 * mentions its graph driver, containerd and iptables in routine lines too. A fatal line of no
 * known cause is the reason verbatim; without one, systemd's unit result is all there is.
 */
export type DaemonFailure =
  | 'invalid-config'
  | 'hosts-conflict'
  | 'start-limit'
  | 'storage'
  | 'iptables'
  | 'containerd'
  | 'tcp-without-tls'
  | 'socket-path'
  /** A fatal line of no known cause: shown as dockerd wrote it. */
  | 'unknown';

export const CONTAINERD_FAILURE =
  /failed to dial "?\/run\/containerd\/containerd\.sock|containerd\.sock.*(connection refused|no such file or directory)|failed to start containerd|timeout waiting for containerd/i;

/** Known causes, tried on the fatal line's text only, most specific first. */
const CAUSES: Array<[Exclude<DaemonFailure, 'unknown' | 'start-limit'>, RegExp]> = [
  ['hosts-conflict', /specified both as a flag and in the configuration file:.*\bhosts\b/i],
  ['invalid-config', /unable to configure the docker daemon with file|invalid character .* looking for|cannot unmarshal|directives don't match any configuration option|the following directives are specified both/i],
  ['storage', /error initializing graphdriver|driver not supported|overlay2? is not supported|backing file system is unsupported|d_type|prior storage driver .* (is deprecated|has been removed)/i],
  ['iptables', /failed to create NAT chain|iptables failed|iptables: |nf_tables|error initializing network controller/i],
  ['containerd', CONTAINERD_FAILURE],
  ['tcp-without-tls', /without --tlsverify|--tls=false|binding to (an )?ip address without/i],
  ['socket-path', /docker\.sock: (bind: )?(address already in use|is a directory)|can't create unix socket/i],
];

/** dockerd's own fatal messages (after unwrapping logrus). */
const FATAL = /^(failed to start daemon: |error starting daemon: |unable to configure the docker daemon with file |failed to load listeners: )/i;

/** The message of a journal line: logrus' msg="…" unescaped, else the line itself. */
function messageOf(line: string): { text: string; fatal: boolean } {
  const logrus = /\blevel=(\w+)\s+msg="((?:[^"\\]|\\.)*)"/.exec(line);
  if (logrus) {
    const text = logrus[2]!.replace(/\\(["\\])/g, '$1');
    return { text, fatal: logrus[1] === 'fatal' || FATAL.test(text) };
  }
  // systemd's journal -o cat gives dockerd's stderr as is; a `dockerd[123]: ` prefix from other formats.
  const text = line.replace(/^.*?\bdockerd\[\d+\]: /, '');
  return { text, fatal: FATAL.test(text) };
}

export interface RecognisedFailure {
  reason: DaemonFailure;
  /** The line the reason rests on, verbatim (the fatal message, or systemd's unit result). */
  line: string;
}

/** The reason of the LAST failed start: its fatal line, classified; else the start limit from the unit result. */
export function recogniseDaemonFailure(lines: readonly string[], unitResult?: string): RecognisedFailure | undefined {
  for (let n = lines.length - 1; n >= 0; n--) {
    const m = messageOf(lines[n]!);
    if (!m.fatal) continue;
    const cause = CAUSES.find(([, re]) => re.test(m.text));
    return { reason: cause ? cause[0] : 'unknown', line: m.text };
  }
  if (unitResult === 'start-limit-hit') return { reason: 'start-limit', line: 'systemd: Result=start-limit-hit' };
  const limit = [...lines].reverse().find((l) => /start request repeated too quickly|start-limit-hit/i.test(l));
  return limit ? { reason: 'start-limit', line: limit } : undefined;
}
