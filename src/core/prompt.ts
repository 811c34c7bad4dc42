import { UsageError } from './errors.js';
import { addSecret } from './log.js';

/**
 * Read one line from the terminal without echoing it. The value is registered as a secret so
 * that no log line can print it.
 */
export async function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    // Allow a pipe (`echo pw | dockhand … --ask-become-pass`) for automation; read one line.
    const line = await readLine(input);
    addSecret(line);
    return line;
  }
  process.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          cleanup();
          process.stderr.write('\n');
          addSecret(value);
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          cleanup();
          process.stderr.write('\n');
          reject(new UsageError('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const cleanup = () => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
    };
    input.on('data', onData);
  });
}

function readLine(input: NodeJS.ReadStream): Promise<string> {
  return new Promise((resolve) => {
    let buf = '';
    input.setEncoding('utf8');
    const onData = (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl));
    };
    const done = (line: string) => {
      input.off('data', onData);
      input.off('end', onEnd);
      input.pause();
      resolve(line.replace(/\r$/, ''));
    };
    const onEnd = () => done(buf);
    input.on('data', onData);
    input.on('end', onEnd);
  });
}

/** A yes/no question on the terminal (stderr), default no; the question (host paths, users) through the output layer. */
export async function askYesNo(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const { safeLine } = await import('./output.js');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${safeLine(question)} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
