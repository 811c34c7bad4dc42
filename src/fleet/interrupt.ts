/**
 * Ctrl-C during a fleet run: the first SIGINT stops the run gracefully (no new hosts or steps, the
 * summary still prints); a second one exits at once with 130 (128 + SIGINT), as shells expect.
 */
export interface InterruptHandle {
  signal: AbortSignal;
  /** Remove the handler (call when the run is over, so Ctrl-C behaves normally again). */
  dispose(): void;
}

export function interruptOnSigint(opts: { onFirst?: () => void; exit?: (code: number) => void } = {}): InterruptHandle {
  const controller = new AbortController();
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const onSigint = () => {
    if (!controller.signal.aborted) {
      controller.abort(new Error('interrupted'));
      opts.onFirst?.();
    } else exit(130);
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
