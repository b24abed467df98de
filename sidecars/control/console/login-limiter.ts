/**
 * Login attempts per client IP, in a fixed one-minute window, in memory (one control API process
 * answers the console). Bounded: past MAX_TRACKED addresses the oldest windows are dropped.
 */
const WINDOW_MS = 60_000;
const MAX_TRACKED = 10_000;

export class LoginLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt; the seconds to wait when over the limit, else 0. */
  attempt(ip: string): number {
    const now = this.now();
    let w = this.windows.get(ip);
    if (!w || now - w.start >= WINDOW_MS) {
      this.windows.delete(ip);
      if (this.windows.size >= MAX_TRACKED) this.windows.delete(this.windows.keys().next().value as string);
      w = { start: now, count: 0 };
      this.windows.set(ip, w);
    }
    w.count++;
    return w.count > this.perMinute ? Math.ceil((w.start + WINDOW_MS - now) / 1000) : 0;
  }
}
