/**
 * What kind of answer a question asks for, from its wording: a person ("who"), a date or time
 * ("when", "what date", "by when"), or a quantity ("how many/much/long/…", "what share/rate…").
 * A sentence holding that kind of thing is likelier to hold the answer.
 */

export type AnswerType = 'person' | 'time' | 'quantity' | 'any';

const PERSON_QUESTION = /\b(?:who|whom|whose)\b|\bwhich (?:engineer|person|doctor|physician|manager|owner|developer|lead)\b/i;
const TIME_QUESTION = /\bwhen\b|\bwhat (?:date|day|time|year|month)\b|\bat what time\b|\bdue date\b|\bdeadline\b|\bsunset date\b/i;
const QUANTITY_QUESTION =
  /\bhow (?:many|much|long|heavy|high|low|slow|fast|large|big|often|old|far|quickly)\b|\bwhat (?:share|percentage|percent|rate|size|number|amount|range|mass|weight)\b|\bmaximum\b|\blargest\b|\bminimum\b/i;

const PATTERNS: Record<Exclude<AnswerType, 'any'>, RegExp> = {
  // Two capitalised words in a row, the first not the sentence's first word.
  person: /[^\s.!?]\s+\p{Lu}\p{Ll}+\s\p{Lu}\p{Ll}+|^\p{Lu}\p{Ll}+\s\p{Lu}\p{Ll}+\s+(?:was|is|took|committed|asked|raised|will)\b/u,
  time: /\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b|\b\d{1,2}:\d{2}\b|\b\d{4}-\d{2}-\d{2}\b/,
  quantity: /\d/,
};

/** Sentences longer than this are not pattern-checked (keeps the work per sentence bounded). */
const MAX_CHECKED = 2000;

export function answerType(question: string): AnswerType {
  const bounded = question.slice(0, MAX_CHECKED);
  if (PERSON_QUESTION.test(bounded)) return 'person';
  if (TIME_QUESTION.test(bounded)) return 'time';
  if (QUANTITY_QUESTION.test(bounded)) return 'quantity';
  return 'any';
}

export function holdsAnswerType(sentence: string, type: AnswerType): boolean {
  return type !== 'any' && sentence.length <= MAX_CHECKED && PATTERNS[type].test(sentence);
}
