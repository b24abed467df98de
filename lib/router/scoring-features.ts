/**
 * The fixed numeric vector a difficulty scorer reads: the heuristic scorer weighs it by hand, and
 * it is the ONNX scorer's `features` input, so a classifier trained elsewhere sees exactly what
 * the router computes (docs/routing.md, "Plugging in a trained scorer"). Append only: a trained
 * model depends on the order. Every value is in [0, 1]; computed in one linear pass over the
 * bounded last user text.
 */
import type { RequestFeatures } from './features';

export const SCORING_FEATURE_NAMES = [
  'prompt_tokens_log',
  'has_tools',
  'has_images',
  'has_code',
  'json_mode',
  'depth_log',
  'last_role_tool',
  'last_role_assistant',
  'hard_terms',
  'easy_terms',
  'math_density',
  'constraint_lines',
  'questions',
  'text_chars_log',
] as const;

export const SCORING_FEATURE_COUNT = SCORING_FEATURE_NAMES.length;

/** Words of tasks that need reasoning, design or proof (matched as word starts, case-insensitive). */
const HARD_TERMS =
  /\b(?:prove|proof|derive|derivation|theorem|lemma|rigorous|step[- ]by[- ]step|algorithm|complexity|optimi[sz]|architect|design|trade-?offs?|analy[sz]|critique|evaluate|justify|reason|why|debug|refactor|concurren|race condition|deadlock|distributed|invariant|edge cases?|formal|integral|differential|eigen|probability|expected value|combinatori|recurrence|asymptotic|strategy|plan|compare|contrast|implications?|counterexample|multi-step|puzzle|riddle|paradox|thread-safe|scalab|security|vulnerab|migrat|consisten)/gi;
/** Words of tasks a small model does well: lookups, rewording, formatting, extraction, chit-chat. */
const EASY_TERMS =
  /\b(?:translate|translation|summari[sz]e|tl;?dr|rephrase|reword|paraphrase|spell|capital of|define|definition|what is|what's|who is|list|convert|format|extract|classify|sentiment|tag|label|uppercase|lowercase|title case|fix (?:the )?typo|grammar|synonym|hello|hi|hey|thanks|thank you|greet|short|one word|one sentence|briefly|yes or no)\b/gi;
const MATH_CHARS = /[=+\-*/^√∑∫≤≥≠∞πθλ∂∀∃∈]|\d/g;
const CONSTRAINT_LINE = /^\s*(?:[-*•]|\d+[.)]|must\b|should\b|ensure\b|make sure\b|do not\b|don't\b)/gim;

const capped = (count: number, cap: number): number => Math.min(count, cap) / cap;
const countMatches = (pattern: RegExp, text: string): number => {
  pattern.lastIndex = 0;
  let count = 0;
  while (pattern.exec(text) !== null) count++;
  return count;
};

/** The features as the scorer's input vector (SCORING_FEATURE_NAMES order). */
export function scoringVector(features: RequestFeatures): Float32Array {
  const text = features.lastUserText;
  const chars = Math.max(1, text.length);
  return Float32Array.from([
    Math.min(1, Math.log2(1 + features.promptTokens) / 16),
    features.hasTools ? 1 : 0,
    features.hasImages ? 1 : 0,
    features.hasCode ? 1 : 0,
    features.jsonMode ? 1 : 0,
    Math.min(1, Math.log2(1 + features.depth) / 8),
    features.lastRole === 'tool' ? 1 : 0,
    features.lastRole === 'assistant' ? 1 : 0,
    capped(countMatches(HARD_TERMS, text), 5),
    capped(countMatches(EASY_TERMS, text), 5),
    Math.min(1, (countMatches(MATH_CHARS, text) / chars) * 5),
    capped(countMatches(CONSTRAINT_LINE, text), 10),
    capped(countMatches(/\?/g, text), 5),
    Math.min(1, Math.log2(1 + text.length) / 13),
  ]);
}
