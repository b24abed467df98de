// Abortable waits, so a client going away or close() ends every pending answer at once.

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits until the signal aborts (used by `hang`). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/**
 * Schedules events at absolute offsets from a start time. Offsets, not relative sleeps, keep
 * the pace exact at high token rates: late events are emitted at once instead of drifting.
 */
export class Pacer {
  /** `start` defaults to now; pass the request's arrival so TTFT counts from there. */
  constructor(
    private readonly signal: AbortSignal,
    private readonly start = performance.now(),
  ) {}
  /** Resolves true at start + offsetMs (false if aborted). */
  at(offsetMs: number): Promise<boolean> {
    return sleep(this.start + offsetMs - performance.now(), this.signal);
  }
}
