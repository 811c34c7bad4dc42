/**
 * Comparing a secret the host shows with the one asked for, without keeping either: an HMAC under a
 * key made at process start. Facts (and `facts --json`) then hold a digest that matches nothing
 * outside this run — no password, and no unsalted hash of one that could be guessed offline.
 */
import { createHmac, randomBytes } from 'node:crypto';

const KEY = randomBytes(32);

export function secretDigest(text: string): string {
  return `hmac:${createHmac('sha256', KEY).update(text).digest('hex').slice(0, 32)}`;
}
