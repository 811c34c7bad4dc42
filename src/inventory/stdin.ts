/** `-i -`: the inventory on stdin, read whole before anything connects. */
import { readSync } from 'node:fs';
import { InputError } from '../core/errors.js';

/** How `-i -` is named in messages. */
export const STDIN_NAME = '<stdin>';

export function readStdin(): string {
  if (process.stdin.isTTY) throw new InputError(STDIN_NAME, '-i - reads an inventory from stdin, which is a terminal', { hint: 'pipe one in: ansible-inventory -i INVENTORY --list | dockhand … -i -' });
  try {
    return readAll(0, STDIN_LIMIT);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(STDIN_NAME, `cannot read inventory: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** More than any real fleet's `--list` JSON (tens of MB for thousands of hosts); past it, not an inventory. */
const STDIN_LIMIT = 256 * 1024 * 1024;

/**
 * Everything on `fd`, synchronously. Stdin may be a non-blocking pipe or socket whose writer has not
 * written yet (EAGAIN): wait a little and read again, so a slow `ansible-inventory --list |` is waited for.
 */
function readAll(fd: number, limit: number): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(1 << 16);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 10);
        continue;
      }
      if (code === 'EOF') break;
      throw err;
    }
    if (n === 0) break;
    total += n;
    if (total > limit) throw new InputError(STDIN_NAME, `more than ${limit / 1024 / 1024} MiB on stdin: not an inventory`);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}
