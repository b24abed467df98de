/**
 * The compression methods' one contract: the inference sidecar runs them, the plugin chooses
 * them, the quality bench measures them. Text methods are pure and synchronous; model methods
 * (llmlingua2) run in the sidecar's workers with the same input and output.
 */

export const COMPRESSION_METHODS = ['question_aware', 'bm25', 'structured', 'llmlingua2'] as const;
export type CompressionMethod = (typeof COMPRESSION_METHODS)[number];

export interface CompressOptions {
  /** Fraction of o200k tokens to keep, 0 < rate <= 1 (0.33 ≈ 3×). */
  rate: number;
  /** When > 0, overrides rate: keep about this many o200k tokens over all segments. */
  targetTokens?: number;
  /** The final user question (question-aware ranking); empty when there is none. */
  question?: string;
}

export interface CompressInput {
  /** The texts to compress, one message part each. */
  segments: string[];
  options: CompressOptions;
}

export interface CompressOutput {
  /** One per input segment, in order; never empty where the input was not. */
  segments: string[];
  /** o200k tokens of all segments before and after (lib/tokens countTextTokens). */
  originalTokens: number;
  compressedTokens: number;
}

/** A method that needs no model: pure, synchronous, linear in its input. */
export type TextMethod = (input: CompressInput) => CompressOutput;
