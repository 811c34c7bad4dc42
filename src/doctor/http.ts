/**
 * A minimal HTTP/1.1 client over any Duplex stream. The Docker API is reached over a unix socket
 * locally, and later over an SSH-forwarded stream (ssh2 streamlocal) for remote hosts — the same
 * request code serves both because the transport is injected as a `SocketOpener`.
 *
 * Only what the read-only probes need: one request per connection (`Connection: close`),
 * Content-Length, chunked transfer encoding, or read-until-close bodies.
 */
import type { Duplex } from 'node:stream';

/** Open a byte stream to the socket at `path` (a unix socket path on the checked host). */
export type SocketOpener = (path: string) => Promise<Duplex>;

export interface HttpResponse {
  status: number;
  statusText: string;
  /** Header names lower-cased; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

/**
 * Largest body read. Docker's /info and /version are a few KiB; a socket that answers endless bytes
 * (not Docker, or a hostile one) must not cost more than this.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export class HttpProtocolError extends Error {
  readonly code = 'EPROTO';
}

export class HttpTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

export interface RequestOptions {
  method?: string;
  /** Whole request budget (connect + response). */
  timeoutMs?: number;
  /** Host header value; Docker ignores it but HTTP/1.1 requires one. */
  host?: string;
}

/** Send one request on a freshly opened stream and read the whole response. */
export async function httpRequest(
  open: SocketOpener,
  socketPath: string,
  path: string,
  opts: RequestOptions = {},
): Promise<HttpResponse> {
  const timeoutMs = opts.timeoutMs ?? 5000;
  let stream: Duplex | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new HttpTimeoutError(`no answer from ${socketPath} within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const exchange = (async () => {
      stream = await open(socketPath);
      const request =
        `${opts.method ?? 'GET'} ${path} HTTP/1.1\r\n` +
        `Host: ${opts.host ?? 'docker'}\r\n` +
        'User-Agent: dockhand-doctor\r\n' +
        'Accept: application/json\r\n' +
        'Connection: close\r\n\r\n';
      return readResponse(stream, request);
    })();
    return await Promise.race([exchange, timeout]);
  } finally {
    clearTimeout(timer);
    stream?.destroy();
  }
}

function readResponse(stream: Duplex, request: string): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const parser = new ResponseParser();
    const finish = (err?: Error) => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      if (err) reject(err);
      else resolve(parser.response());
    };
    const onData = (chunk: Buffer) => {
      try {
        if (parser.push(chunk)) finish();
      } catch (err) {
        finish(err as Error);
      }
    };
    const onEnd = () => {
      try {
        parser.end();
        finish();
      } catch (err) {
        finish(err as Error);
      }
    };
    const onError = (err: Error) => finish(err);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.write(request);
  });
}

/**
 * Incremental response parser. `push` returns true once the body is complete (so a server that
 * keeps the connection open despite `Connection: close` does not make us wait for a timeout).
 */
export class ResponseParser {
  private buf: Buffer = Buffer.alloc(0);
  private head?: { status: number; statusText: string; headers: Record<string, string> };
  private bodyParts: Buffer[] = [];
  private mode: 'length' | 'chunked' | 'close' = 'close';
  private remaining = 0;
  private chunkState: 'size' | 'data' | 'crlf' | 'trailer' | 'done' = 'size';
  private complete = false;
  private bodyBytes = 0;

  constructor(private readonly maxBody = MAX_BODY_BYTES) {}

  push(chunk: Buffer): boolean {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (!this.head && !this.parseHead()) return false;
    this.parseBody();
    // Bytes waiting in `buf` count too: a read-until-close body or an endless chunk-size line grow there.
    if (this.bodyBytes + this.buf.length > this.maxBody + 64 * 1024) this.tooLarge();
    return this.complete;
  }

  private tooLarge(): never {
    throw new HttpProtocolError(`response body larger than ${Math.round(this.maxBody / 1024)} KiB; not read`);
  }

  private keep(part: Buffer): void {
    this.bodyBytes += part.length;
    if (this.bodyBytes > this.maxBody) this.tooLarge();
    this.bodyParts.push(part);
  }

  /** The peer closed the stream. */
  end(): void {
    if (!this.head) throw new HttpProtocolError('connection closed before a complete HTTP response header');
    if (this.mode === 'close') {
      this.keep(this.buf);
      this.buf = Buffer.alloc(0);
      this.complete = true;
    }
    if (!this.complete) throw new HttpProtocolError('connection closed in the middle of the response body');
  }

  response(): HttpResponse {
    if (!this.head) throw new HttpProtocolError('no response');
    return { ...this.head, body: Buffer.concat(this.bodyParts).toString('utf8') };
  }

  private parseHead(): boolean {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.buf.length > 64 * 1024) throw new HttpProtocolError('response header too large');
      return false;
    }
    const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n');
    this.buf = this.buf.subarray(end + 4);
    const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    if (!m) throw new HttpProtocolError(`not an HTTP response: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const status = Number(m[1]);
    this.head = { status, statusText: m[2] ?? '', headers };
    if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) this.mode = 'chunked';
    else if (headers['content-length'] !== undefined) {
      this.mode = 'length';
      this.remaining = Number(headers['content-length']);
      if (!Number.isInteger(this.remaining) || this.remaining < 0) throw new HttpProtocolError('bad Content-Length');
      if (this.remaining > this.maxBody) this.tooLarge();
    } else if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
      this.mode = 'length';
      this.remaining = 0;
    }
    return true;
  }

  private parseBody(): void {
    if (this.mode === 'length') {
      const take = this.buf.subarray(0, this.remaining);
      this.keep(take);
      this.remaining -= take.length;
      this.buf = this.buf.subarray(take.length);
      if (this.remaining === 0) this.complete = true;
      return;
    }
    if (this.mode === 'chunked') this.parseChunks();
  }

  private parseChunks(): void {
    for (;;) {
      if (this.chunkState === 'size') {
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) return;
        const sizeText = this.buf.subarray(0, eol).toString('latin1').split(';')[0]!.trim();
        if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw new HttpProtocolError(`bad chunk size ${JSON.stringify(sizeText)}`);
        this.remaining = parseInt(sizeText, 16);
        this.buf = this.buf.subarray(eol + 2);
        this.chunkState = this.remaining === 0 ? 'trailer' : 'data';
      } else if (this.chunkState === 'data') {
        if (this.buf.length === 0) return;
        const take = this.buf.subarray(0, this.remaining);
        this.keep(take);
        this.remaining -= take.length;
        this.buf = this.buf.subarray(take.length);
        if (this.remaining > 0) return;
        this.chunkState = 'crlf';
      } else if (this.chunkState === 'crlf') {
        if (this.buf.length < 2) return;
        this.buf = this.buf.subarray(2);
        this.chunkState = 'size';
      } else if (this.chunkState === 'trailer') {
        // Trailer headers end with an empty line; usually there are none and only CRLF follows.
        const eol = this.buf.indexOf('\r\n');
        if (eol < 0) return;
        this.buf = this.buf.subarray(eol + 2);
        if (eol === 0) {
          this.chunkState = 'done';
          this.complete = true;
          return;
        }
      } else return;
    }
  }
}
