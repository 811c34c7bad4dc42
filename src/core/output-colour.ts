/**
 * Colour for what dockhand prints on stdout, on a terminal only. The output layer (output.ts) strips
 * every escape sequence from text, so colour cannot come from the text: a renderer first makes each
 * piece safe (safeLine/safeText), then wraps pieces whose meaning it knows (a ✓ it wrote, a status
 * word, a heading) with `paint`. Host text never chooses a style and never carries a sequence; with
 * colour off `paint` is the identity, so the plain output is byte-for-byte the uncoloured one.
 *
 * When: `--no-color` or NO_COLOR (any non-empty value, no-color.org) → never; `--color` or
 * FORCE_COLOR (set, not "0"/"false") → always; otherwise only when stdout is a terminal, TERM is not
 * "dumb" and CI is not set. `--json` output is never coloured (JSON goes through jsonText).
 */

export type Style = 'ok' | 'warn' | 'bad' | 'change' | 'dim' | 'bold';

const SGR: Record<Style, [string, string]> = {
  ok: ['\u001b[32m', '\u001b[39m'],
  warn: ['\u001b[33m', '\u001b[39m'],
  bad: ['\u001b[31m', '\u001b[39m'],
  change: ['\u001b[33m', '\u001b[39m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  bold: ['\u001b[1m', '\u001b[22m'],
};

/** Wraps text that is ALREADY safe (through the output layer) in a style; identity when off. */
export interface Paint {
  (style: Style, safeText: string): string;
  readonly enabled: boolean;
}

export const plainPaint: Paint = Object.assign((_style: Style, text: string) => text, { enabled: false });
export const colourPaint: Paint = Object.assign((style: Style, text: string) => (text ? `${SGR[style][0]}${text}${SGR[style][1]}` : text), { enabled: true });

/**
 * Text a renderer has already made safe and coloured: writers print it as it is instead of running it
 * through safeText again (which would strip the colour).
 */
export class SafeStyled {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** Whether output to a stream with this isTTY should be coloured. `flag`: --color (true) / --no-color (false). */
export function wantColour(isTTY: boolean | undefined, flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR) return false;
  if (flag === true) return true;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  if (env.CI || env.TERM === 'dumb') return false;
  return isTTY === true;
}

let stdoutPaintNow: Paint = plainPaint;

/** Set once by the command line (cli.ts, plain-doctor.ts) from --color/--no-color, --json and stdout. */
export function setStdoutColour(on: boolean): void {
  stdoutPaintNow = on ? colourPaint : plainPaint;
}

/** The command line's decision, from its parsed --json and --color/--no-color: JSON is never coloured. */
export function decideStdoutColour(args: { json?: unknown; color?: unknown }): void {
  setStdoutColour(!args.json && wantColour(process.stdout.isTTY, args.color as boolean | undefined));
}

/** The paint for stdout's human output (plain until the command line decided). */
export function stdoutPaint(): Paint {
  return stdoutPaintNow;
}
