/**
 * The one output layer: everything dockhand writes for the operator — stdout results, stderr logs,
 * JSON events, progress lines, the summary table, the doctor's report and JSON, the top-level error —
 * goes through `safeText` (terminal text) or `jsonText` (JSON), so no writer can forget to mask a
 * secret or strip a host's escape sequences.
 *
 * Secrets (the become password) and how they are kept out of the output:
 *  1. They never enter a string in the first place. The password is written only to sudo's stdin,
 *     after sudo printed dockhand's own random prompt (src/transport/become.ts); it is never part of a
 *     command, argv, environment, error message or log line. That is the guarantee for every length.
 *  2. What a host prints is masked too, in case a host program echoes it (a terminal echo of stdin, a
 *     program repeating its input, a PAM module's message):
 *     - a secret of MIN_SUBSTRING_SECRET (4) characters or more is replaced by ******** wherever it
 *       occurs, in text and in every JSON string (keys included);
 *     - a shorter one is replaced where it stands alone: a whole whitespace-delimited word (the echo of
 *       a typed password, on its own line or after a prompt). Replacing every occurrence of a 1–3
 *       character string would wreck the output ("a" in every word) and, worse, the pattern of masks
 *       would spell out the secret; inside a longer word it is ordinary text.
 *     A host that knows the password can always print it in a form no masking recognises (reversed,
 *     base64): masking host text guards against accidents, point 1 is what keeps the secret.
 * Control characters: see src/core/text.ts. JSON stays exact data (JSON.stringify escapes C0; DEL, C1
 * and bidi controls are escaped as \uXXXX too), only secrets are masked in it.
 */
import { printable, printableLine, terminalSafeJson } from './text.js';

export const MASK = '********';
/** Secrets at least this long are masked wherever they occur; shorter ones as whole words (above). */
export const MIN_SUBSTRING_SECRET = 4;

const longSecrets = new Set<string>();
const shortSecrets = new Set<string>();
let shortPattern: RegExp | undefined;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Register a value that must never be printed (any length; empty is ignored). */
export function addSecret(value: string): void {
  if (!value) return;
  // The printable form too: what is left of it once control characters are stripped is what prints.
  for (const v of new Set([value, printable(value)])) {
    // All whitespace: no word to mask; it is still never sent anywhere but to sudo (point 1).
    if (!v.trim()) continue;
    if (v.length >= MIN_SUBSTRING_SECRET) longSecrets.add(v);
    else shortSecrets.add(v);
  }
  // Longest first, so that a secret that contains another is masked whole.
  const alternatives = [...shortSecrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
  shortPattern = alternatives.length ? new RegExp(`(?<!\\S)(?:${alternatives.join('|')})(?!\\S)`, 'g') : undefined;
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  longSecrets.clear();
  shortSecrets.clear();
  shortPattern = undefined;
}

/** `text` with every registered secret masked (see the rules above). */
export function redact(text: string): string {
  let out = text;
  if (longSecrets.size) {
    for (const s of [...longSecrets].sort((a, b) => b.length - a.length)) if (out.includes(s)) out = out.split(s).join(MASK);
  }
  if (shortPattern) out = out.replace(shortPattern, MASK);
  return out;
}

/**
 * Text as it may reach a terminal: secrets masked, control characters and escape sequences stripped.
 * Masked before and after stripping, so that a secret split by an escape sequence is caught too.
 */
export function safeText(text: string): string {
  return redact(printable(redact(text)));
}

/** As safeText, for a value that must stay on one line (a table cell, a spinner's text). */
export function safeLine(text: string): string {
  return redact(printableLine(redact(text)));
}

/** JSON text of `value` (optionally indented) with secrets masked in every string and every key. */
export function jsonText(value: unknown, space?: number): string {
  const hasSecrets = longSecrets.size > 0 || shortPattern !== undefined;
  const replacer = hasSecrets
    ? (_key: string, v: unknown): unknown => {
        if (typeof v === 'string') return redact(v);
        // A fresh object whose keys are masked; JSON.stringify then visits its values as usual.
        if (v && typeof v === 'object' && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [redact(k), x]));
        return v;
      }
    : undefined;
  return terminalSafeJson(JSON.stringify(value, replacer, space));
}

/** Write operator-facing text to a stream through the layer. */
export function writeText(stream: NodeJS.WritableStream, text: string): boolean {
  return stream.write(safeText(text));
}
