/** Progress on a terminal for one host: an ora spinner with the current step; finished steps stay on screen. */
import type ora from 'ora';
import type { Ora } from 'ora';
import { safeLine, safeText } from '../../core/output.js';
import { formatDuration, outcomeSymbol } from '../format.js';
import type { HostReport, StepStatus, StopReason } from '../types.js';
import { hostLine, stopMessage, type FleetProgress } from './types.js';

export class SpinnerProgress implements FleetProgress {
  private readonly spinner: Ora;
  constructor(
    private readonly stream: NodeJS.WriteStream,
    makeSpinner: typeof ora,
  ) {
    this.spinner = makeSpinner({ stream, discardStdin: false });
  }
  hostStarted(host: string) {
    this.spinner.start(safeLine(`${host}: connecting`));
  }
  step(host: string, step: string, status: StepStatus, durationMs?: number, detail?: string) {
    if (status === 'running') {
      // The detail: the step's title, then any progress line its commands print (a long wait).
      this.spinner.start(safeLine(`${host}: ${step}${detail ? ` — ${detail}` : ''}`));
      return;
    }
    const time = durationMs === undefined ? '' : ` (${formatDuration(durationMs)})`;
    this.spinner.stopAndPersist({ symbol: outcomeSymbol[status], text: safeText(`${host} ${step} … ${status}${time}${detail ? `: ${detail}` : ''}`) });
  }
  hostFinished(r: HostReport) {
    this.spinner.stopAndPersist({ symbol: outcomeSymbol[r.outcome], text: safeText(hostLine(r)) });
  }
  stopping(reason: StopReason, running: number) {
    this.log(stopMessage(reason, running));
  }
  log(line: string) {
    const wasSpinning = this.spinner.isSpinning;
    const text = this.spinner.text;
    this.spinner.stop();
    this.stream.write(safeText(line) + '\n');
    if (wasSpinning) this.spinner.start(text);
  }
  stop() {
    this.spinner.stop();
  }
}
