/**
 * Human-facing logging. Everything here goes to stderr so that stdout stays machine-readable
 * (`--json`). Every line goes through the output layer (src/core/output.ts): secrets registered with
 * `addSecret` are masked and a host's control characters stripped, `--verbose` command echoes included.
 */
import { safeText } from './output.js';

// Kept here too: callers register secrets where they log.
export { addSecret, redact } from './output.js';

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
  const write = (line: string) => stream.write(safeText(line) + '\n');
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
