/**
 * The coarse level of question_aware: how relevant each sentence is to the question. BM25
 * (normalised to the best sentence) plus the share of the question's distinct terms the sentence
 * covers (an answer sentence tends to meet several, a distractor one or two), plus names and
 * numbers shared with the question, plus a bonus when the sentence holds the kind of answer the
 * question asks for (a name, a date, a quantity: answer-type.ts), then a share of the better neighbour's score (the answer is
 * often the sentence after the one naming the subject); last, near-duplicates of better-ranked
 * sentences are discounted (redundancy.ts).
 */
import { answerType, holdsAnswerType } from './answer-type';
import { bm25Scores } from './bm25-score';
import { discountRedundant } from './redundancy';
import type { SentenceUnit } from './units';

const COVERAGE_WEIGHT = 0.6;
const ENTITY_WEIGHT = 0.4;
const ANSWER_TYPE_WEIGHT = 0.4;
const NEIGHBOUR_SHARE = 0.25;
const FIRST_IN_SEGMENT_BONUS = 0.02;

/** Capitalised words and numbers, as written: the names and figures a question pins down. */
const ENTITY = /\b(?:\p{Lu}[\p{L}\p{N}-]*|\p{N}[\p{N}.,:-]*)/gu;

export function entities(text: string): Set<string> {
  const found = new Set<string>();
  for (const match of text.matchAll(ENTITY)) if (match[0].length > 1 || /\p{N}/u.test(match[0])) found.add(match[0].slice(0, 32).toLowerCase());
  return found;
}

function coverage(unit: SentenceUnit, queryTerms: ReadonlySet<string>): number {
  if (queryTerms.size === 0) return 0;
  let met = 0;
  const seen = new Set<string>();
  for (const term of unit.terms) {
    if (queryTerms.has(term) && !seen.has(term)) {
      seen.add(term);
      met++;
    }
  }
  return met / queryTerms.size;
}

function sharedEntities(unit: SentenceUnit, questionEntities: ReadonlySet<string>): number {
  if (questionEntities.size === 0) return 0;
  let shared = 0;
  for (const entity of entities(unit.text)) if (questionEntities.has(entity)) shared++;
  return Math.min(shared / questionEntities.size, 1);
}

export function relevanceScores(units: readonly SentenceUnit[], queryTerms: readonly string[], question: string): number[] {
  const bm25 = bm25Scores(
    units.map((unit) => unit.terms),
    queryTerms,
  );
  const best = bm25.reduce((max, score) => Math.max(max, score), 0) || 1;
  const distinctTerms = new Set(queryTerms);
  const questionEntities = entities(question);
  const expected = answerType(question);
  const own = units.map(
    (unit, index) =>
      bm25[index] / best +
      COVERAGE_WEIGHT * coverage(unit, distinctTerms) +
      ENTITY_WEIGHT * sharedEntities(unit, questionEntities) +
      (holdsAnswerType(unit.text, expected) ? ANSWER_TYPE_WEIGHT : 0) +
      (unit.indexInSegment === 0 ? FIRST_IN_SEGMENT_BONUS : 0),
  );
  const withNeighbours = own.map((score, index) => {
    const before = index > 0 && units[index - 1].segment === units[index].segment ? own[index - 1] : 0;
    const after = index + 1 < units.length && units[index + 1].segment === units[index].segment ? own[index + 1] : 0;
    return score + NEIGHBOUR_SHARE * Math.max(before, after);
  });
  return discountRedundant(
    units.map((unit) => unit.terms),
    withNeighbours,
  );
}
