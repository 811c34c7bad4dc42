/**
 * Ctrl-C during a fleet run: the first SIGINT stops the run gracefully (no new hosts or steps, the
 * summary still prints); a second one ends what still runs on the hosts (`onSecond`, bounded in
 * time) and exits with 130 (128 + SIGINT), as shells expect; a third exits at once.
 */

/** The most a second Ctrl-C waits for `onSecond` before exiting anyway. */
const SECOND_WAIT_MS = 5000;
export interface InterruptHandle {
  signal: AbortSignal;
  /** Remove the handler (call when the run is over, so Ctrl-C behaves normally again). */
  dispose(): void;
}

export function interruptOnSigint(
  opts: { onFirst?: () => void; onSecond?: () => Promise<void>; exit?: (code: number) => void } = {},
): InterruptHandle {
  const controller = new AbortController();
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let ending = false;
  const onSigint = () => {
    if (!controller.signal.aborted) {
      controller.abort(new Error('interrupted'));
      opts.onFirst?.();
    } else if (!ending && opts.onSecond) {
      ending = true;
      const bound = new Promise<void>((r) => setTimeout(r, SECOND_WAIT_MS).unref());
      void Promise.race([opts.onSecond().catch(() => {}), bound]).finally(() => exit(130));
    } else exit(130);
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
