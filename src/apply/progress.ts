/**
 * How `up` shows progress: an ora spinner per step on an interactive terminal, plain timestamped
 * lines otherwise (pipes, CI=true, several hosts at once). Always on stderr: stdout is for --json.
 */
import ora, { type Ora } from 'ora';
import { redact } from '../core/log.js';
import type { PlanStep } from '../plan/model.js';
import { PROGRESS_MARK } from '../plan/script.js';

export type StepStatus = 'changed' | 'ok' | 'failed';

export interface Progress {
  stepStart(host: string, index: number, total: number, step: PlanStep): void;
  /** A command's output as it arrives (the spinner shows its last line). */
  output(host: string, chunk: string): void;
  stepEnd(host: string, step: PlanStep, status: StepStatus): void;
  message(host: string, text: string): void;
}

/** The user-facing text of a script's progress line, or undefined for other output. */
export function progressText(line: string): string | undefined {
  return line.startsWith(PROGRESS_MARK) ? line.slice(PROGRESS_MARK.length).trim() : undefined;
}

export function lineProgress(stream: NodeJS.WritableStream, now: () => Date = () => new Date()): Progress {
  const write = (host: string, text: string) => stream.write(redact(`${now().toISOString()} [${host}] ${text}\n`));
  // Output arrives in chunks that may split lines: keep each host's unfinished line.
  const partial = new Map<string, string>();
  return {
    stepStart: (host, i, n, step) => {
      partial.delete(host);
      if (step.commands.length) write(host, `[${i + 1}/${n}] ${step.id}: ${step.reason}`);
    },
    // Command output stays out of the log, except the lines scripts mark as progress (long waits).
    output: (host, chunk) => {
      const lines = ((partial.get(host) ?? '') + chunk).split('\n');
      partial.set(host, lines.pop() ?? '');
      for (const line of lines) {
        const text = progressText(line);
        if (text) write(host, text);
      }
    },
    stepEnd: (host, step, status) => write(host, `${step.id}: ${status === 'ok' ? step.reason : status}`),
    message: write,
  };
}

export function spinnerProgress(stream: NodeJS.WritableStream): Progress {
  let spinner: Ora | undefined;
  let label = '';
  return {
    stepStart: (host, i, n, step) => {
      label = `[${host}] [${i + 1}/${n}] ${step.title}`;
      spinner = ora({ text: label, stream: stream as NodeJS.WriteStream }).start();
    },
    output: (_host, chunk) => {
      const line = chunk.trimEnd().split('\n').pop()?.trim();
      const last = line === undefined ? undefined : (progressText(line) ?? line);
      if (spinner && last) spinner.text = redact(`${label} — ${last.slice(0, 80)}`);
    },
    stepEnd: (_host, step, status) => {
      const text = redact(`${label}: ${status === 'ok' ? step.reason : status}`);
      if (status === 'failed') spinner?.fail(text);
      else if (status === 'ok') spinner?.info(text);
      else spinner?.succeed(text);
      spinner = undefined;
    },
    message: (host, text) => stream.write(redact(`[${host}] ${text}\n`)),
  };
}

/** Spinner only for one host on a TTY outside CI. */
export function chooseProgress(hosts: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const interactive = stream.isTTY === true && process.env.CI !== 'true' && hosts === 1;
  return interactive ? spinnerProgress(stream) : lineProgress(stream);
}
