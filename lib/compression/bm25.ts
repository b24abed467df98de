/**
 * `bm25`, the baseline: sentences ranked by BM25 against the question, the best kept in reading
 * order until rate × the original tokens. Without a question every sentence scores by position,
 * so the leading sentences are kept (the start of a tool result or document usually says what it is).
 */

import { bm25Scores } from './bm25-score';
import { compressOutput, keepRate, sumTokens } from './budget';
import { assembleSegments, selectWithinBudget } from './select';
import { terms } from './terms';
import type { CompressInput, CompressOutput } from './types';
import { type SentenceUnit, sentenceUnits } from './units';

export function leadingFirst(units: readonly SentenceUnit[]): number[] {
  return units.map((unit) => -unit.index);
}

export function compressBm25(input: CompressInput): CompressOutput {
  const { segments } = input;
  const originalTokens = sumTokens(segments);
  const budget = keepRate(input, originalTokens) * originalTokens;
  const units = sentenceUnits(segments);
  const queryTerms = terms(input.options.question ?? '');
  const scores =
    queryTerms.length > 0
      ? bm25Scores(
          units.map((unit) => unit.terms),
          queryTerms,
        )
      : leadingFirst(units);
  const kept = selectWithinBudget(units, scores, budget);
  return compressOutput(
    assembleSegments(segments, units, (unit) => (kept.has(unit.index) ? unit.text : undefined)),
    originalTokens,
  );
}
