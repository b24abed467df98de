/**
 * Money is integer nano-USD (1e-9 USD) everywhere it is counted, so Redis adds it exactly and a
 * counter stays a safe integer.
 */
export const NANO_PER_USD = 1e9;

/**
 * The largest budget a key or team may have: $1,000,000 (1e15 nano-USD). Budget counters add
 * spend and live reservations in Redis as integers that must stay below 2^53 (about $9M), so this
 * leaves room for reservations in flight and a settle above its reservation.
 */
export const MAX_BUDGET_USD = 1_000_000;
export const MAX_BUDGET_NANO = MAX_BUDGET_USD * NANO_PER_USD;

export function usdToNano(usd: number): number {
  return Math.round(usd * NANO_PER_USD);
}

export function nanoToUsd(nano: number): number {
  return nano / NANO_PER_USD;
}

/** USD as a string exact to the nano-USD (nine decimals), trailing zeros trimmed for readability. */
export function nanoToUsdString(value: number): string {
  return (value / NANO_PER_USD).toFixed(9).replace(/\.?0+$/, '') || '0';
}
