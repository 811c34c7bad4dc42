/**
 * Bounds on what dockhand keeps of text a host sends. A host is untrusted: one that answers with
 * endless bytes must cost a fixed amount of memory and a fixed amount of terminal, never more.
 * Pure; the one helper every capture of host output uses (transport, apply, error messages).
 */

/** Output one command may produce on one stream (characters, ≈ bytes for the ASCII that tools print). */
export const OUTPUT_CAP = 4 * 1024 * 1024;
/** What is kept of the end of an over-long stream, to show what the command was saying when stopped. */
export const TAIL_KEEP = 64 * 1024;
/** Longest line an error message repeats from a host. */
export const LINE_MAX = 400;

/**
 * One stream's capture: everything up to `cap` (the head), and past it only the last `tailKeep`
 * characters (a ring). `push` answers whether the stream just went over the cap, so the caller can
 * end the command: output a caller cannot read whole is output it cannot trust.
 */
export class BoundedCapture {
  private head = '';
  private tail: string[] = [];
  private tailLength = 0;
  /** Characters seen in all, kept or not. */
  total = 0;

  constructor(
    readonly cap = OUTPUT_CAP,
    readonly tailKeep = TAIL_KEEP,
  ) {}

  get overflowed(): boolean {
    return this.total > this.cap;
  }

  /** Returns true the first time the stream exceeds the cap. */
  push(text: string): boolean {
    if (text === '') return false;
    const wasOver = this.overflowed;
    this.total += text.length;
    const room = this.cap - this.head.length;
    if (room > 0) {
      this.head += text.slice(0, room);
      text = text.slice(room);
    }
    if (text !== '') this.keepTail(text);
    return !wasOver && this.overflowed;
  }

  /** The head, and when characters were dropped, a marker and the kept tail. */
  text(): string {
    if (!this.overflowed) return this.head;
    const tail = this.tail.join('');
    const dropped = this.total - this.head.length - tail.length;
    return dropped > 0 ? `${this.head}\n[… ${dropped} characters dropped …]\n${tail}` : this.head + tail;
  }

  /** The last characters seen (tail ring, else the end of the head), for error messages. */
  end(n = TAIL_KEEP): string {
    const tail = this.tail.join('');
    const fromHead = Math.max(0, n - tail.length);
    return (fromHead > 0 ? this.head.slice(-fromHead) : '') + tail.slice(-n);
  }

  private keepTail(text: string): void {
    if (text.length >= this.tailKeep) {
      this.tail = [text.slice(-this.tailKeep)];
      this.tailLength = this.tailKeep;
      return;
    }
    this.tail.push(text);
    this.tailLength += text.length;
    while (this.tailLength - this.tail[0]!.length >= this.tailKeep) this.tailLength -= this.tail.shift()!.length;
    if (this.tailLength > this.tailKeep) {
      const cut = this.tailLength - this.tailKeep;
      this.tail[0] = this.tail[0]!.slice(cut);
      this.tailLength -= cut;
    }
  }
}

/** At most `max` characters of one line of host text, saying how much was cut. */
export function clipLine(line: string, max = LINE_MAX): string {
  return line.length <= max ? line : `${line.slice(0, max)}… (${line.length - max} more characters)`;
}

/**
 * The last `n` lines of `text`, each clipped: bounded whatever the host sent (one endless line, or
 * millions of short ones) — only the last few KiB are even looked at.
 */
export function lastLines(text: string, n: number, lineMax = LINE_MAX): string {
  const window = text.length > n * (lineMax + 1) * 4 ? text.slice(-(n * (lineMax + 1) * 4)) : text;
  const lines = window.trimEnd().split('\n');
  return lines
    .slice(Math.max(0, lines.length - n))
    .map((l) => clipLine(l, lineMax))
    .join('\n');
}
