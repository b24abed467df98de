/**
 * The heuristic scorer's score quantiles on the development set (test/bench/router-dev-set),
 * written by `test/bench/router.ts`: the starting threshold for a target strong share, before
 * traffic recalibrates it. DEV_SET_QUANTILES[i] is the score below which i/20 of the set lies.
 */
export const DEV_SET_QUANTILES: readonly number[] = [
  0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1,
];

/** The score above which `strongShare` of the development set lies (linear between quantiles). */
export function devSetThreshold(strongShare: number): number {
  const at = Math.min(1, Math.max(0, 1 - strongShare)) * (DEV_SET_QUANTILES.length - 1);
  const low = Math.floor(at);
  const high = Math.min(DEV_SET_QUANTILES.length - 1, low + 1);
  return DEV_SET_QUANTILES[low]! + (at - low) * (DEV_SET_QUANTILES[high]! - DEV_SET_QUANTILES[low]!);
}
