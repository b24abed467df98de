/**
 * The heuristic scorer's score quantiles on the development set (test/bench/router-dev-set),
 * written by `test/bench/router.ts`: the starting threshold for a target strong share, before
 * traffic recalibrates it. DEV_SET_QUANTILES[i] is the score below which i/20 of the set lies.
 */
export const DEV_SET_QUANTILES: readonly number[] = [
  0.01, 0.042, 0.056, 0.073, 0.086, 0.103, 0.114, 0.134, 0.158, 0.18, 0.212, 0.262, 0.297, 0.395, 0.443, 0.581, 0.677, 0.76, 0.871, 0.941, 0.996,
];

/** The score above which `strongShare` of the development set lies (linear between quantiles). */
export function devSetThreshold(strongShare: number): number {
  const at = Math.min(1, Math.max(0, 1 - strongShare)) * (DEV_SET_QUANTILES.length - 1);
  const low = Math.floor(at);
  const high = Math.min(DEV_SET_QUANTILES.length - 1, low + 1);
  return DEV_SET_QUANTILES[low]! + (at - low) * (DEV_SET_QUANTILES[high]! - DEV_SET_QUANTILES[low]!);
}
