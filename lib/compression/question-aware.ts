/**
 * `question_aware`, the default: two levels in the spirit of LongLLMLingua and Selective Context.
 * Coarse: sentences ranked by relevance to the question (relevance.ts) and kept whole, best first,
 * in reading order. Fine: in every sentence, low-information function words are dropped
 * (prune-words.ts), and a sentence's cost is its pruned size, so pruning makes room for more whole
 * sentences rather than cutting into answers. Without a question, the leading sentences are kept.
 */

import { countTextTokens } from '../tokens';
import { answerType } from './answer-type';
import { leadingFirst } from './bm25';
import { compressOutput, keepRate, sumTokens } from './budget';
import { prunableRanges, withoutRanges } from './prune-words';
import { relevanceScores } from './relevance';
import { assembleSegments, selectWithinBudget } from './select';
import { isStopWord, terms } from './terms';
import type { CompressInput, CompressOutput } from './types';
import { type SentenceUnit, sentenceUnits } from './units';

export interface QuestionAwareSettings {
  /** Drop low-information function words inside kept sentences (the fine level). */
  pruneWords: boolean;
  /** Sentences scoring at least this share of the best are never pruned. */
  verbatimShare?: number;
}

/**
 * Sentences scoring at least this share of the best score stay word for word: the answer is most
 * likely among them, and pruning "the" or "of" out of "cellulitis of the left leg" breaks an answer
 * quoted from it. Only the weaker context around them is pruned.
 */
const VERBATIM_SHARE = 0.5;
/**
 * When the question asks for a name, date or quantity, pruning cannot cut the answer (those are
 * never pruned); when it asks for a phrase, only clearly unrelated sentences are pruned.
 */
const PHRASE_ANSWER_VERBATIM_SHARE = 0.2;

function wellRanked(scores: readonly number[], share: number): Set<number> {
  const best = scores.reduce((max, score) => Math.max(max, score), 0);
  const kept = new Set<number>();
  scores.forEach((score, index) => {
    if (score >= share * best) kept.add(index);
  });
  return kept;
}

/** Each unit but the verbatim ones rewritten without its prunable words, with its new token count. */
function prunedUnits(
  segments: readonly string[],
  units: readonly SentenceUnit[],
  keepWords: ReadonlySet<string>,
  verbatim: ReadonlySet<number>,
): SentenceUnit[] {
  const rangesBySegment = segments.map((segment) => prunableRanges(segment, keepWords));
  const cursors = segments.map(() => 0);
  return units.map((unit) => {
    const { text, next } = withoutRanges(segments[unit.segment], unit.start, unit.end, rangesBySegment[unit.segment], cursors[unit.segment]);
    cursors[unit.segment] = next;
    return text === unit.text || verbatim.has(unit.index) ? unit : { ...unit, text, tokens: countTextTokens(text) };
  });
}

/** The question's own content words, never pruned from the context. */
function questionWords(question: string): Set<string> {
  return new Set((question.toLowerCase().match(/[a-z]+/g) ?? []).filter((word) => !isStopWord(word)));
}

function verbatimShare(settings: QuestionAwareSettings, question: string): number {
  if (settings.verbatimShare !== undefined) return settings.verbatimShare;
  return answerType(question) === 'any' ? PHRASE_ANSWER_VERBATIM_SHARE : VERBATIM_SHARE;
}

export function questionAware(settings: QuestionAwareSettings) {
  return (input: CompressInput): CompressOutput => {
    const { segments } = input;
    const question = input.options.question ?? '';
    const originalTokens = sumTokens(segments);
    const budget = keepRate(input, originalTokens) * originalTokens;
    const units = sentenceUnits(segments);
    const queryTerms = terms(question);
    const scores = queryTerms.length > 0 ? relevanceScores(units, queryTerms, question) : leadingFirst(units);
    const candidates =
      settings.pruneWords && budget < originalTokens
        ? prunedUnits(segments, units, questionWords(question), wellRanked(scores, verbatimShare(settings, question)))
        : units;
    const kept = selectWithinBudget(candidates, scores, budget);
    return compressOutput(
      assembleSegments(segments, candidates, (unit) => (kept.has(unit.index) ? unit.text : undefined)),
      originalTokens,
    );
  };
}

export const compressQuestionAware = questionAware({ pruneWords: true });
