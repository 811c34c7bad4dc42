/**
 * daemon.json merged on the host, where there is no node or python: a small awk JSON reader (mawk,
 * gawk and busybox awk alike) that checks the whole file is one valid JSON object, keeps every
 * member's text as written, and sets only "storage-driver" and features."containerd-snapshotter" —
 * in place when present, appended when not, as mergeStorageSettings() does. It refuses (exit 4,
 * printing why, writing nothing) whenever a safe merge is in doubt: invalid JSON, not an object, a
 * duplicate or escaped key, "features" that is not an object. Exit 3: already as wanted (no output).
 * Exit 0: the merged file on stdout, formatted like renderDaemonJson() for the members it adds.
 */

/** The awk program; -v driver=… -v snap=0|1. Reads the file (possibly empty) on stdin. */
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
function parse(T, K, V,   junkK, junkV) {
  S = T; L = length(S); P = 1; delete SEEN
  ws(); if (P > L) { K[0] = 0; return }
  if (substr(S, P, 1) != "{") die("the file is not a JSON object")
  pobj(1, K, V); ws()
  if (P <= L) die("text after the object")
}
function set(K, V, key, val,   i) {
  for (i = 1; i <= K[0]; i++) if (K[i] == key) { if (V[i] != val) { V[i] = val; CHANGED = 1 }; return }
  K[0]++; K[K[0]] = key; V[K[0]] = val; CHANGED = 1
}
function render(K, V, indent,   i, out) {
  if (K[0] == 0) return "{}"
  out = "{"
  for (i = 1; i <= K[0]; i++) out = out (i > 1 ? "," : "") "\n" indent "  \"" K[i] "\": " V[i]
  return out "\n" indent "}"
}
{ TEXT = TEXT $0 "\n" }
END {
  parse(TEXT, TK, TV)
  CHANGED = 0
  set(TK, TV, "storage-driver", "\"" driver "\"")
  if (snap == 1) {
    fi = 0
    for (i = 1; i <= TK[0]; i++) if (TK[i] == "features") fi = i
    if (fi == 0) { FK[0] = 0 } else {
      if (substr(TV[fi], 1, 1) != "{") die("\"features\" is not an object")
      parse(TV[fi], FK, FV)
    }
    before = CHANGED; CHANGED = 0
    set(FK, FV, "containerd-snapshotter", "false")
    if (CHANGED) set(TK, TV, "features", render(FK, FV, "  "))
    CHANGED = CHANGED || before
  }
  if (!CHANGED) exit 3
  print render(TK, TV, "")
}
`;

/** A shell function `dh_daemon_json FILE DRIVER SNAP`: the program above on FILE (absent reads as empty). */
export function daemonJsonFunction(): string[] {
  return [
    'dh_daemon_json() {',
    `  if [ -e "$1" ]; then cat -- "$1"; fi | awk -v driver="$2" -v snap="$3" '${DAEMON_JSON_AWK.replace(/'/g, `'\\''`)}'`,
    '}',
  ];
}
