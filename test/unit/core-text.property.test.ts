/**
 * Properties of the terminal-safety layer (src/core/text.ts, src/core/output.ts): whatever a host
 * sends, what dockhand writes holds no ESC, C0 (but \n and \t), DEL, C1 or bidi control, printable
 * text comes through unchanged, and JSON stays exactly the data.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, jsonText, safeLine, safeText } from '../../src/core/output.js';
import { printable, printableLine, REPLACEMENT } from '../../src/core/text.js';

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Characters a hostile host likes: every C0, DEL, C1, bidi controls, and the starts of sequences. */
const controlChar = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x7f, max: 0x9f }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u001b[', '\u001b]'),
);
/** Whole escape sequences a terminal would act on. */
const sequence = fc.constantFrom(
  '\u001b]52;c;SGVsbG8gd29ybGQ=\u0007', // set the clipboard
  '\u001b]52;c;SGVsbG8=\u001b\\',
  '\u001b[2J', // clear the screen
  '\u001b[H',
  '\u001b[31;1m',
  '\u001b[?25l',
  '\u001b[10A',
  '\u001b]0;owned\u0007', // window title
  '\u001b]8;;http://127.0.0.1/\u001b\\', // hyperlink
  '\u001bP1;2|abc\u001b\\', // DCS
  '\u001b_payload\u001b\\', // APC
  '\u001b7',
  '\u001b(B',
  '\u001bc', // full reset
  '\u009b2J', // 8-bit CSI
  '\u009d52;c;SGVsbG8=\u009c', // 8-bit OSC
);
/** Text a terminal only displays: any code point but the unsafe ones and \r (which becomes \n). */
const printableText = fc
  .string({ unit: 'grapheme', maxLength: 40 })
  .map((s) => [...s].filter((c) => !UNSAFE.test(c) && c !== '\r').join(''));
const hostile = fc.array(fc.oneof(printableText, controlChar, sequence, fc.string({ unit: 'binary', maxLength: 20 })), { maxLength: 12 }).map((parts) => parts.join(''));

describe('printable', () => {
  it('leaves no control character or escape sequence, whatever the input', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const out = printable(s);
        expect(out).not.toMatch(UNSAFE);
        expect(printable(out)).toBe(out); // idempotent: the writers may apply it twice
        expect(printableLine(s)).not.toMatch(UNSAFE_OR_BREAK);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps printable text exactly, \\n and \\t included', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(printableText, fc.constantFrom('\n', '\t', 'ü', '日本', '🙂', '[2J', ']52;')), { maxLength: 10 }), (parts) => {
        const s = parts.join('');
        expect(printable(s)).toBe(s);
      }),
      { numRuns: 1000 },
    );
  });

  it('removes whole escape sequences between printable text, leaving the text as it was', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(printableText, sequence), { maxLength: 8 }), printableText, (pairs, last) => {
        const input = pairs.map(([t, seq]) => t + seq).join('') + last;
        expect(printable(input)).toBe(pairs.map(([t]) => t).join('') + last);
      }),
      { numRuns: 1000 },
    );
  });

  it('makes a lone control character visible and a carriage return a line break', () => {
    expect(printable('a\u0000b\u0007c\u007fd\u0085e\u202ef')).toBe(`a${REPLACEMENT}b${REPLACEMENT}c${REPLACEMENT}d${REPLACEMENT}e${REPLACEMENT}f`);
    expect(printable('ok\rFAILED\r\nnext')).toBe('ok\nFAILED\nnext');
    expect(printable('PRETTY \u001b]52;c;SGVsbG8=')).toBe('PRETTY '); // unterminated OSC: to the end of the line
    expect(printable('a\u001b]52;c;x\nb')).toBe('a\nb');
    expect(printableLine('Debian\n  User root\tx')).toBe('Debian   User root x');
  });
});

describe('jsonText', () => {
  afterEach(() => clearSecrets());

  it('parses back to exactly the data, with no raw control, C1 or bidi character in the text', () => {
    const withHostStrings = fc.jsonValue({ maxDepth: 3 }).chain((v) => fc.tuple(fc.constant(v), hostile, fc.dictionary(hostile, hostile, { maxKeys: 4 })));
    fc.assert(
      fc.property(withHostStrings, ([value, s, dict]) => {
        const data = { value, s, dict };
        for (const space of [undefined, 2]) {
          const text = jsonText(data, space);
          expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(data)));
          expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('secrets', () => {
  afterEach(() => clearSecrets());

  it('a secret of 4+ characters is masked wherever it occurs, in text, lines, JSON values and keys', async () => {
    const { addSecret } = await import('../../src/core/output.js');
    fc.assert(
      fc.property(
        fc.string({ minLength: 4, maxLength: 16 }).filter((s) => !UNSAFE.test(s) && s.trim().length >= 4 && !s.includes('*') && !s.includes('\r')),
        printableText,
        printableText,
        (secret, before, after) => {
          clearSecrets();
          addSecret(secret);
          const text = `${before}${secret}${after}\n${secret}`;
          expect(safeText(text)).not.toContain(secret);
          expect(safeLine(text)).not.toContain(secret);
          // Split by an escape sequence (stripped afterwards): still masked.
          const half = Math.floor(secret.length / 2);
          expect(safeText(`${secret.slice(0, half)}\u001b[2J${secret.slice(half)}`)).not.toContain(secret);
          const json = jsonText({ [`k${secret}`]: [`${before}${secret}${after}`, { error: secret }] });
          expect(json).not.toContain(JSON.stringify(secret).slice(1, -1));
          expect(JSON.parse(json)).toBeTypeOf('object');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a 1- or 2-character secret is masked where it stands alone, and other text is left alone', async () => {
    const { addSecret } = await import('../../src/core/output.js');
    addSecret('ж');
    addSecret('§$');
    const host = '[sudo] password for deploypw: ж\nж\nSorry, try again §$\nкожа 5§$5';
    const out = safeText(host);
    expect(out).toBe('[sudo] password for deploypw: ********\n********\nSorry, try again ********\nкожа 5§$5');
    expect(jsonText({ line: 'echo: ж', ok: 'кожа' })).toBe('{"line":"echo: ********","ok":"кожа"}');
  });

  it('a 1-character secret that is a common letter does not wreck the output', async () => {
    const { addSecret } = await import('../../src/core/output.js');
    addSecret('a');
    expect(safeText('a host failed: bad state')).toBe('******** host failed: bad state');
    expect(safeText('packages … changed (4.2s)')).toBe('packages … changed (4.2s)');
  });
});
