/**
 * Which OpenPGP key an ASCII-armoured key file holds, computed here from the file's text so the
 * host needs no gpg to answer (the probe only prints the file). Only what identifying a signing key
 * needs: de-armour, walk the packets, fingerprint each primary public key (RFC 4880 §12.2 for v4,
 * RFC 9580 §5.5.4 for v6).
 */
import { createHash } from 'node:crypto';

const PUBLIC_KEY_TAG = 6;

/** The base64 payloads of every `PGP PUBLIC KEY BLOCK` in the text (armour headers and CRC dropped). */
function armouredBlocks(text: string): Buffer[] {
  const blocks: Buffer[] = [];
  const pattern = /-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n([\s\S]*?)-----END PGP PUBLIC KEY BLOCK-----/g;
  for (const match of text.matchAll(pattern)) {
    const lines = match[1]!.split(/\r?\n/);
    // Armour headers (`Comment: …`) end at the first blank line; a block without headers starts at once.
    const blank = lines.findIndex((l) => l.trim() === '');
    const hasHeaders = blank > 0 && lines.slice(0, blank).every((l) => /^[\w-]+: /.test(l));
    const body = (hasHeaders ? lines.slice(blank + 1) : lines).filter((l) => l.trim() !== '' && !/^=[A-Za-z0-9+/]{4}$/.test(l.trim()));
    blocks.push(Buffer.from(body.join(''), 'base64'));
  }
  return blocks;
}

interface Packet {
  tag: number;
  body: Buffer;
}

/** Split binary OpenPGP data into packets, both header formats; undefined when it is malformed. */
export function readPackets(data: Buffer): Packet[] | undefined {
  const packets: Packet[] = [];
  let at = 0;
  while (at < data.length) {
    const first = data[at]!;
    if ((first & 0x80) === 0) return undefined;
    let tag: number;
    let length: number;
    let start: number;
    if (first & 0x40) {
      // New format: the tag is the low six bits; the length is one, two or five octets.
      tag = first & 0x3f;
      const o1 = data[at + 1];
      if (o1 === undefined) return undefined;
      if (o1 < 192) [length, start] = [o1, at + 2];
      else if (o1 < 224) [length, start] = [((o1 - 192) << 8) + (data[at + 2] ?? 0) + 192, at + 3];
      else if (o1 === 255) [length, start] = [data.readUInt32BE(at + 2), at + 6];
      else return undefined; // partial body lengths never occur in key packets
    } else {
      // Old format: tag in bits 5–2, length type in bits 1–0 (1, 2, 4 octets, or to the end).
      tag = (first >> 2) & 0x0f;
      const lengthType = first & 0x03;
      if (lengthType === 3) [length, start] = [data.length - at - 1, at + 1];
      else {
        const size = 1 << lengthType;
        if (at + 1 + size > data.length) return undefined;
        length = data.readUIntBE(at + 1, size);
        start = at + 1 + size;
      }
    }
    if (start + length > data.length) return undefined;
    packets.push({ tag, body: data.subarray(start, start + length) });
    at = start + length;
  }
  return packets;
}

/** The fingerprint of one public-key packet body, upper-case hex; `v<N>` for versions we cannot compute. */
export function keyFingerprint(body: Buffer): string {
  const version = body[0];
  if (version === 4) {
    const prefix = Buffer.from([0x99, body.length >> 8, body.length & 0xff]);
    return createHash('sha1').update(prefix).update(body).digest('hex').toUpperCase();
  }
  if (version === 6) {
    const prefix = Buffer.alloc(5);
    prefix[0] = 0x9b;
    prefix.writeUInt32BE(body.length, 1);
    return createHash('sha256').update(prefix).update(body).digest('hex').toUpperCase();
  }
  return `v${version ?? '?'}`;
}

/**
 * Fingerprints of the primary keys in an armoured key file, in file order (subkeys are not primary
 * keys and are skipped). undefined when the text holds no armoured public key or it is malformed.
 */
export function armouredKeyFingerprints(text: string): string[] | undefined {
  const blocks = armouredBlocks(text);
  if (blocks.length === 0) return undefined;
  const fingerprints: string[] = [];
  for (const block of blocks) {
    const packets = readPackets(block);
    if (!packets) return undefined;
    for (const p of packets) if (p.tag === PUBLIC_KEY_TAG) fingerprints.push(keyFingerprint(p.body));
  }
  return fingerprints.length ? fingerprints : undefined;
}
