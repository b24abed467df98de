/**
 * Durations ("30s", "15m", "1h", "30d", "1w") and budget windows counted from an anchor.
 * Windows are fixed-length and aligned to the anchor (not to calendar months), so every node
 * computes the same window from the same record without coordination.
 */

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

const DURATION_RE = /^([1-9][0-9]{0,9})(s|m|h|d|w)$/;

/**
 * Parses "<positive integer><s|m|h|d|w>" into milliseconds.
 * @throws Error naming the accepted format for anything else ("1mo", "1.5h", "0d", " 1h", "").
 */
export function parseDuration(text: string): number {
  const m = typeof text === 'string' ? DURATION_RE.exec(text) : null;
  if (!m) {
    throw new Error(`invalid duration ${JSON.stringify(text)}: expected a positive integer followed by s, m, h, d or w (e.g. "30s", "15m", "1h", "30d", "1w")`);
  }
  const ms = Number(m[1]) * UNIT_MS[m[2]];
  if (!Number.isSafeInteger(ms)) throw new Error(`invalid duration ${JSON.stringify(text)}: too long`);
  return ms;
}

/**
 * The longest duration the control API accepts (budget windows, key lifetimes, grace periods):
 * anchor + window must stay a date JavaScript and PostgreSQL hold, and a window end in ms a safe
 * integer for the budget scripts. parseDuration itself reads longer ones, so rows written before
 * this limit still parse (migration 002 shortened them).
 */
export const MAX_DURATION = '36500d';
export const MAX_DURATION_MS = 36_500 * UNIT_MS.d;

/** Milliseconds, or null when the text is not a duration (for validating user input). */
export function tryParseDuration(text: string): number | null {
  try {
    return parseDuration(text);
  } catch {
    return null;
  }
}

/** True when `text` is a duration parseDuration accepts. */
export function isDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

export interface BudgetWindow {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive; null = the window never ends (a budget that never resets). */
  end: number | null;
}

/**
 * The budget window containing `nowMs`: [anchor + k·len, anchor + (k+1)·len).
 * A `now` before the anchor (clock skew between nodes) maps to the first window rather than a
 * window before the anchor, so skew can never open a fresh, empty budget.
 * @param anchorIso ISO time windows are counted from
 * @param duration window length ("30d") or null for one window from the anchor forever
 */
export function budgetWindow(anchorIso: string | Date | number, duration: string | null, nowMs: number = Date.now()): BudgetWindow {
  const anchor = new Date(anchorIso).getTime();
  if (!Number.isFinite(anchor)) throw new Error(`invalid budget anchor ${JSON.stringify(anchorIso)}: expected an ISO time`);
  if (duration === null) return { start: anchor, end: null };
  const len = parseDuration(duration);
  const k = Math.max(0, Math.floor((nowMs - anchor) / len));
  const start = anchor + k * len;
  return { start, end: start + len };
}
