/**
 * Durations such as "30s", "15m", "1h", "30d", "1w": budget windows, key lifetimes, rotation
 * grace periods. Fixed lengths only; calendar months ("1mo") are refused rather than guessed,
 * so a window is always anchor + k * length and every component computes the same one.
 */
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const PATTERN = /^([1-9][0-9]{0,5})([smhdw])$/;

/** Milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const m = PATTERN.exec(text);
  return m ? Number(m[1]) * UNIT_MS[m[2]] : null;
}

export interface BudgetWindow {
  /** Epoch ms. */
  start: number;
  /** Epoch ms; null when the budget never resets. */
  end: number | null;
}

/** The window `now` falls in: [anchor + k*len, anchor + (k+1)*len). Without a duration: [anchor, ∞). */
export function budgetWindow(anchor: Date | string | number, duration: string | null, now: number = Date.now()): BudgetWindow {
  const start = new Date(anchor).getTime();
  const length = duration ? parseDuration(duration) : null;
  if (!length) return { start, end: null };
  const k = Math.max(0, Math.floor((now - start) / length));
  return { start: start + k * length, end: start + (k + 1) * length };
}
