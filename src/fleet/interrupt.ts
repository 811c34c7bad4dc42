/**
 * Ctrl-C during a fleet run: the first SIGINT stops the run gracefully (no new hosts or steps, the
 * summary still prints); a second one ends what still runs on the hosts (`onSecond`, bounded in
 * time) and exits with 130 (128 + SIGINT), as shells expect; a third exits at once.
 */

/** The most a second Ctrl-C waits for `onSecond` before exiting anyway. */
const SECOND_WAIT_MS = 5000;
export interface InterruptHandle {
  signal: AbortSignal;
  /** Set once a second Ctrl-C is ending the run: the process exits (130) when it settles. */
  readonly ending: Promise<void> | undefined;
  /** Remove the handler (call when the run is over, so Ctrl-C behaves normally again). */
  dispose(): void;
}

export function interruptOnSigint(
  opts: { onFirst?: () => void; onSecond?: () => Promise<void>; exit?: (code: number) => void } = {},
): InterruptHandle {
  const controller = new AbortController();
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let ending: Promise<void> | undefined;
  const onSigint = () => {
    if (!controller.signal.aborted) {
      controller.abort(new Error('interrupted'));
      opts.onFirst?.();
    } else if (!ending && opts.onSecond) {
      // The bound timer is not unref'd: it keeps the process alive until exit(130), even when the
      // run itself finishes meanwhile.
      const bound = new Promise<void>((r) => setTimeout(r, SECOND_WAIT_MS));
      ending = Promise.race([opts.onSecond().catch(() => {}), bound]).finally(() => exit(130));
    } else exit(130);
  };
  process.on('SIGINT', onSigint);
  return {
    signal: controller.signal,
    get ending() {
      return ending;
    },
    dispose: () => process.off('SIGINT', onSigint),
  };
}
