/** Turning CompressOptions into a token budget, and assembling a method's output. */
import { countTextTokens } from '../tokens';
import type { CompressInput, CompressOutput } from './types';

/** The kept share of tokens: targetTokens (when > 0) overrides rate; both clamp into (0, 1]. */
export function keepRate(input: CompressInput, originalTokens: number): number {
  const { rate, targetTokens } = input.options;
  if (targetTokens !== undefined && Number.isFinite(targetTokens) && targetTokens > 0) {
    return originalTokens > 0 ? Math.min(targetTokens / originalTokens, 1) : 1;
  }
  if (!Number.isFinite(rate) || rate <= 0) throw new RangeError(`compression rate must be in (0, 1], got ${rate}`);
  return Math.min(rate, 1);
}

export function sumTokens(texts: readonly string[]): number {
  let total = 0;
  for (const text of texts) total += countTextTokens(text);
  return total;
}

/** The output record, counting the compressed segments once. */
export function compressOutput(segments: string[], originalTokens: number): CompressOutput {
  return { segments, originalTokens, compressedTokens: sumTokens(segments) };
}

/** What a segment becomes when nothing of it fits the budget: the contract forbids an empty one. */
export const ELIDED_SEGMENT = '…';
