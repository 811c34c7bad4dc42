/**
 * daemon.json merged on the host, where there is no node or python: a small awk JSON reader (mawk,
 * gawk and busybox awk alike) that checks the whole file is one valid JSON object, keeps every
 * member's text as written, and sets (or removes) exactly the keys the plan's wants name — dotted
 * paths into nested objects ("log-opts.max-size", "features.containerd-snapshotter", "proxies.…")
 * included, in place when present, appended when not, as mergeWants() does. It refuses (exit 4,
 * printing why, writing nothing) whenever a safe merge is in doubt: invalid JSON, not an object, a
 * duplicate or escaped key, a parent of a wanted key that is not an object. Exit 3: already as
 * wanted (no output). Exit 0: the merged file on stdout (mode=doc), formatted like
 * renderDaemonJson() for the members it adds, or the changed top-level keys, one a line (mode=keys).
 *
 * The wants come from the environment, never from -v (which would interpret backslashes): DH_N, and
 * per want DH_W<i>_P (the dotted path) and DH_W<i>_V (the value's JSON text; empty: remove the key).
 */
import { PreconditionError, UsageError } from '../../core/errors.js';
import type { Facts } from '../../facts/types.js';
import { shQuote } from '../../shell/quote.js';
import { reloadChecks } from '../daemon-apply.js';
import { DAEMON_JSON, type Want } from '../daemon-json.js';
import { daemonWants, majorOf, proxyDropInContent, proxyInDaemonJson } from '../daemon-settings.js';
import type { Target } from './task.js';

/** The awk program; -v mode=doc|keys. Reads the file (possibly empty) on stdin, the wants from ENVIRON. */
export const DAEMON_JSON_AWK = String.raw`
function die(why) { print "daemon.json: " why > "/dev/stderr"; exit 4 }
function ws() { while (P <= L && index(" \t\r\n", substr(S, P, 1)) > 0) P++ }
function pstr(   c, st) {
  st = P; P++
  while (P <= L) {
    c = substr(S, P, 1)
    if (c == "\"") { P++; return substr(S, st, P - st) }
    if (c == "\n" || c == "\t" || c == "\r") die("a control character inside a string")
    if (c == "\\") {
      c = substr(S, P + 1, 1)
      if (c == "u") { if (substr(S, P + 2, 4) !~ /^[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]$/) die("a bad \\u escape"); P += 6; continue }
      if (index("\"\\/bfnrt", c) == 0) die("a bad escape in a string")
      P += 2; continue
    }
    P++
  }
  die("an unterminated string")
}
function pval(depth, K, V,   c, st, rest) {
  ws(); if (P > L) die("a value is missing")
  c = substr(S, P, 1); st = P
  if (c == "\"") { pstr(); return substr(S, st, P - st) }
  if (c == "{") { pobj(depth + 1, K, V); return substr(S, st, P - st) }
  if (c == "[") {
    P++; ws()
    if (substr(S, P, 1) == "]") { P++; return substr(S, st, P - st) }
    while (1) {
      pval(depth + 1, K, V); ws(); c = substr(S, P, 1); P++
      if (c == "]") return substr(S, st, P - st)
      if (c != ",") die("expected , or ] in an array")
    }
  }
  rest = substr(S, P, 40)
  if (match(rest, /^(true|false|null)/) || match(rest, /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) { P += RLENGTH; return substr(S, st, P - st) }
  die("an unexpected character")
}
# An object at P; at depth 1 its members go to K (names) and V (value text), K[0] their count.
function pobj(depth, K, V,   c, key, val, n) {
  P++; ws(); n = 0
  if (substr(S, P, 1) == "}") { P++; if (depth == 1) K[0] = 0; return }
  while (1) {
    ws(); if (substr(S, P, 1) != "\"") die("expected a member name")
    key = pstr()
    if (index(key, "\\") > 0) die("a member name with an escape")
    ws(); if (substr(S, P, 1) != ":") die("expected : after a member name")
    P++
    val = pval(depth, K, V)
    if (depth == 1) {
      key = substr(key, 2, length(key) - 2)
      if (key in SEEN) die("the member \"" key "\" appears twice")
      SEEN[key] = 1; n++; K[n] = key; V[n] = val
    }
    ws(); c = substr(S, P, 1); P++
    if (c == "}") { if (depth == 1) K[0] = n; return }
    if (c != ",") die("expected , or } in an object")
  }
}
# Parse text T as one object into K/V (depth 1 is the object itself).
function parse(T, K, V,   k) {
  S = T; L = length(S); P = 1
  for (k in SEEN) delete SEEN[k]
  ws(); if (P > L) { K[0] = 0; return }
  if (substr(S, P, 1) != "{") die("the file is not a JSON object")
  pobj(1, K, V); ws()
  if (P <= L) die("text after the object")
}
# A value's text without the white space outside strings: "as wanted" ignores layout.
function canon(t,   out, i, n, c, instr) {
  out = ""; instr = 0; n = length(t)
  for (i = 1; i <= n; i++) {
    c = substr(t, i, 1)
    if (instr) { out = out c; if (c == "\\") { i++; out = out substr(t, i, 1) } else if (c == "\"") instr = 0 }
    else if (c == "\"") { instr = 1; out = out c }
    else if (index(" \t\r\n", c) == 0) out = out c
  }
  return out
}
function render(K, V, indent,   i, out) {
  if (K[0] == 0) return "{}"
  out = "{"
  for (i = 1; i <= K[0]; i++) out = out (i > 1 ? "," : "") "\n" indent "  \"" K[i] "\": " V[i]
  return out "\n" indent "}"
}
# The object text T with the member at dotted path PATH set to VAL (removed when VAL is empty);
# CH says whether anything changed (the returned text is then the new object, else unused).
function setp(T, path, val, indent,   K, V, i, idx, dot, seg, rest, child) {
  parse(T, K, V)
  dot = index(path, ".")
  if (dot == 0) { seg = path; rest = "" } else { seg = substr(path, 1, dot - 1); rest = substr(path, dot + 1) }
  idx = 0
  for (i = 1; i <= K[0]; i++) if (K[i] == seg) idx = i
  if (rest == "") {
    if (val == "") {
      if (idx == 0) return T
      for (i = idx; i < K[0]; i++) { K[i] = K[i + 1]; V[i] = V[i + 1] }
      K[0]--
    } else if (idx == 0) { K[0]++; K[K[0]] = seg; V[K[0]] = val }
    else if (canon(V[idx]) == canon(val)) return T
    else V[idx] = val
  } else {
    if (idx == 0) { if (val == "") return T; child = "" }
    else { child = V[idx]; if (substr(child, 1, 1) != "{") die("\"" seg "\" is not an object") }
    child = setp(child, rest, val, indent "  ")
    if (!CH) return T
    if (idx == 0) { K[0]++; idx = K[0]; K[idx] = seg }
    V[idx] = child
  }
  CH = 1
  return render(K, V, indent)
}
{ TEXT = TEXT $0 "\n" }
END {
  DOC = TEXT; ANY = 0; NK = 0
  parse(DOC, TK, TV)
  for (w = 1; w <= ENVIRON["DH_N"] + 0; w++) {
    path = ENVIRON["DH_W" w "_P"]
    CH = 0
    out = setp(DOC, path, ENVIRON["DH_W" w "_V"], "")
    if (!CH) continue
    DOC = out; ANY = 1
    top = path; if (index(top, ".") > 0) top = substr(top, 1, index(top, ".") - 1)
    if (!(top in KEYS)) { KEYS[top] = 1; NK++; KL[NK] = top }
  }
  if (!ANY) exit 3
  if (mode == "keys") { for (i = 1; i <= NK; i++) print KL[i]; exit 0 }
  print DOC
}
`;

/**
 * Shell lines declaring the wants for the program above (run inside a function or subshell): one
 * `dh_w PATH VALUE` each, the value as the JSON text renderDaemonJson() gives it at its depth.
 */
export function wantLines(wants: readonly Want[]): string[] {
  return wants.map((w) => {
    const text = w.value === undefined ? '' : JSON.stringify(w.value, null, 2).replace(/\n/g, `\n${'  '.repeat(w.path.length)}`);
    return `dh_w ${shQuote(w.path.join('.'))} ${shQuote(text)}`;
  });
}

/**
 * Shell functions: `dh_w PATH VALUE` adds a want (exported for the awk); `dh_daemon_json FILE [MODE]`
 * runs the program on FILE (absent reads as empty) with the wants declared since `dh_n=0`.
 */
export function daemonJsonFunction(): string[] {
  return [
    // eval only names the variables: the values are assigned from $1/$2, never parsed as shell.
    'dh_w() { dh_n=$((dh_n + 1)); eval "DH_W${dh_n}_P=\\$1; DH_W${dh_n}_V=\\$2; export DH_W${dh_n}_P DH_W${dh_n}_V"; DH_N=$dh_n; export DH_N; }',
    'dh_daemon_json() {',
    `  if [ -e "$1" ]; then cat -- "$1"; fi | awk -v mode="\${2:-doc}" '${DAEMON_JSON_AWK.replace(/'/g, `'\\''`)}'`,
    '}',
  ];
}

/** What the script wants of daemon.json (and the proxy drop-in) for one engine major, or why it refuses. */
type Variant = { wants: Want[]; dropIn?: string } | { refusal: string };

/**
 * The plan's own daemonWants() for a host whose engine has major version `major` (undefined: not
 * installed): the facts it reads are the engine's version alone (a rendered host has no other yet).
 */
function variantFor(ctx: Target, driver: string, major: number | undefined): Variant {
  const facts = { host: 'this host', versions: major === undefined ? {} : { engine: `${major}.0.0` }, daemonJson: { path: DAEMON_JSON, exists: false } } as unknown as Facts;
  const hasSystemd = ctx.serviceManager.kind === 'systemd';
  const o = ctx.daemon;
  try {
    const wants = daemonWants(facts, o, { driver, hasSystemd });
    const proxied = o.proxy !== undefined || o.noProxy !== undefined;
    return proxied && !proxyInDaemonJson(major, hasSystemd) ? { wants, dropIn: proxyDropInContent(o.proxy, o.noProxy) } : { wants };
  } catch (e) {
    if (e instanceof PreconditionError) return { refusal: e.message };
    throw e;
  }
}

function variantLines(v: Variant): string[] {
  if ('refusal' in v) return [`echo ${shQuote(`dockhand: ${v.refusal}`)} >&2`, 'return 4'];
  return [...wantLines(v.wants), ...(v.dropIn ? [`dh_dropin=${shQuote(v.dropIn)}`] : [])];
}

/** Engine majors the run-time choice distinguishes: every version the wants can differ at lies in here. */
const MAJORS = Array.from({ length: 30 }, (_, i) => 17 + i);

/**
 * A shell function `dh_wants`: declares the wants (dh_w …) and $dh_dropin (the proxy drop-in's
 * content, empty when daemon.json carries the proxy) for the engine this host has — the pinned
 * --docker-version, else the installed dockerd's — or refuses (status 4, saying why). The variants
 * come from daemonWants() itself at every major, so no threshold of the plan is copied here.
 */
export function wantsFunction(ctx: Target, driver: string): string[] {
  const pinned = majorOf(ctx.dockerVersion?.replace(/^\d+:/, ''));
  // $dh_dropin only where a drop-in task reads it (systemd, a proxy asked for).
  const dropIn = ctx.serviceManager.kind === 'systemd' && (ctx.daemon.proxy !== undefined || ctx.daemon.noProxy !== undefined);
  const start = ['dh_wants() {', `  dh_n=0; DH_N=0; export DH_N${dropIn ? '; dh_dropin=' : ''}`];
  // What no engine can do is said when rendering, not left for every host to refuse.
  const all = [pinned ?? undefined, ...(pinned === undefined ? MAJORS : [])].map((m) => variantFor(ctx, driver, m));
  const refused = all.find((v) => 'refusal' in v);
  if (refused && all.every((v) => 'refusal' in v)) throw new UsageError(`render: ${(refused as { refusal: string }).refusal}`);
  if (pinned !== undefined) return [...start, ...variantLines(all[0]!).map((l) => `  ${l}`), '}'];
  // Consecutive majors with the same variant form one range: [from, next range's from).
  const ranges: Array<{ from: number; variant: Variant; key: string }> = [];
  for (const m of MAJORS) {
    const variant = variantFor(ctx, driver, m);
    const key = JSON.stringify(variant);
    if (ranges.at(-1)?.key !== key) ranges.push({ from: m, variant, key });
  }
  const lines = [
    ...start,
    "  m=$(dockerd --version 2>/dev/null | sed -n 's/^Docker version \\([0-9][0-9]*\\)\\..*/\\1/p')",
    '  if [ -z "$m" ]; then',
    ...variantLines(variantFor(ctx, driver, undefined)).map((l) => `    ${l}`),
  ];
  ranges.forEach((r, i) => {
    const next = ranges[i + 1];
    lines.push(next ? `  elif [ "$m" -lt ${next.from} ]; then` : '  else', ...variantLines(r.variant).map((l) => `    ${l}`));
  });
  return [...lines, '  fi', '}'];
}

/** The docker info checks that the running daemon took the wanted reloadable settings (mirrors, live-restore). */
export function settingsChecks(ctx: Target, driver: string): Array<{ what: string; condition: string }> {
  const v = variantFor(ctx, driver, undefined);
  if ('refusal' in v) return [];
  return reloadChecks(v.wants.map((w) => ({ key: w.path.join('.'), from: undefined, to: w.value, source: w.source, why: w.why })));
}
