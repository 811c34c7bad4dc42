/**
 * Making text safe for a terminal. A leaf module (imports nothing): every writer (src/core/output.ts)
 * runs what it prints through `printable`, so host-supplied text — os-release values, journal lines,
 * command output, user and group names, error text — can never move the cursor, clear the screen,
 * set the clipboard (OSC 52), retitle the window, or reorder what the operator reads (bidi overrides).
 *
 * What is removed:
 *  - whole escape sequences, 7-bit (ESC …) and 8-bit (CSI U+009B, OSC U+009D, DCS/SOS/PM/APC): the
 *    introducer and its parameters, so `ESC[2J` leaves nothing behind rather than a stray `[2J`. An OSC
 *    or string sequence without its terminator ends at the end of the line.
 * A carriage return becomes a line break (\r\n one break): the text it would have overwritten on the
 * screen ("ok\rFAILED") stays visible.
 * What is replaced by U+FFFD (so the operator sees that something unprintable was there):
 *  - every other C0 control (U+0000–U+001F) except \n and \t, DEL (U+007F), C1 (U+0080–U+009F), and the bidi
 *    embeddings/overrides/isolates U+202A–U+202E and U+2066–U+2069.
 * Everything else — all printable text, any script, emoji — is kept exactly.
 */

// One alternation, tried left to right at each ESC / 8-bit introducer:
//  CSI: ESC [ or U+009B, parameter bytes 0x30–0x3F, intermediates 0x20–0x2F, one final byte 0x40–0x7E.
//  OSC / DCS / SOS / PM / APC: ESC ] P X ^ _ or U+009D U+0090 U+0098 U+009E U+009F, a body up to BEL,
//  ST (ESC \ or U+009C) or the end of the line.
//  Any other ESC: ESC, optional intermediates 0x20–0x2F, one final byte (ESC 7, ESC ( B, …).
const SEQUENCE =
  // eslint-disable-next-line no-control-regex
  /(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|(?:\u001b[\]PX^_]|[\u009d\u0090\u0098\u009e\u009f])[^\u0007\u001b\u009c\n]*(?:\u0007|\u001b\\|\u009c)?|\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const ANY_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

export const REPLACEMENT = '\ufffd';

/** `text` with escape sequences removed and other control characters replaced; keeps \n and \t. */
export function printable(text: string): string {
  // Fast path: nearly everything dockhand prints is plain already.
  if (!ANY_UNSAFE.test(text)) return text;
  return text.replace(/\r\n?/g, '\n').replace(SEQUENCE, '').replace(UNSAFE, REPLACEMENT);
}

/**
 * For a cell or a value that must stay on one line (a table column, a `label value` row): as
 * `printable`, and line breaks and tabs become a space, so a host value cannot start a line of its own.
 */
export function printableLine(text: string): string {
  return printable(text).replace(/[\n\t]/g, ' ').replace(UNSAFE_ONE_LINE, REPLACEMENT);
}

/**
 * Escape, inside JSON text, the characters JSON.stringify leaves raw but a terminal may act on (DEL,
 * C1, bidi controls, U+2028/U+2029). The result parses back to exactly the same data.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(/[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
