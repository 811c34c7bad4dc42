/**
 * Human-facing logging. Everything here goes to stderr so that stdout stays machine-readable
 * (`--json`). Secrets registered with `addSecret` are masked in every line this module prints,
 * including `--verbose` command echoes.
 */
const secrets = new Set<string>();

export function addSecret(value: string): void {
  // Very short values would mask innocent text everywhere; they are still never logged on purpose.
  if (value.length >= 3) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('********');
  return out;
}

export interface Logger {
  verbose: boolean;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** Only with --verbose: a command about to run on a host. */
  command(host: string, command: string): void;
  debug(msg: string): void;
}

export function createLogger(opts: { verbose?: boolean; stream?: NodeJS.WritableStream } = {}): Logger {
  const stream = opts.stream ?? process.stderr;
  const write = (line: string) => stream.write(redact(line) + '\n');
  const logger: Logger = {
    verbose: opts.verbose ?? false,
    info: (m) => write(m),
    warn: (m) => write(`warning: ${m}`),
    error: (m) => write(`error: ${m}`),
    command: (host, c) => {
      if (logger.verbose) write(`[${host}] $ ${c}`);
    },
    debug: (m) => {
      if (logger.verbose) write(m);
    },
  };
  return logger;
}

/** A logger that prints nothing; for library use and unit tests. */
export const silentLogger: Logger = {
  verbose: false,
  info() {},
  warn() {},
  error() {},
  command() {},
  debug() {},
};
