/** The segments cut into sentences: the units both sentence selectors rank and keep. */
import { countTextTokens } from '../tokens';
import { splitSentences } from './sentences';
import { terms } from './terms';

export interface SentenceUnit {
  segment: number;
  /** Position among all units, in reading order. */
  index: number;
  /** Position within its segment's units. */
  indexInSegment: number;
  /** Where the sentence lies in its segment. */
  start: number;
  end: number;
  text: string;
  tokens: number;
  terms: string[];
}

export function sentenceUnits(segments: readonly string[]): SentenceUnit[] {
  const units: SentenceUnit[] = [];
  segments.forEach((segment, segmentIndex) => {
    splitSentences(segment).forEach((span, indexInSegment) => {
      const text = segment.slice(span.start, span.end);
      units.push({
        segment: segmentIndex,
        index: units.length,
        indexInSegment,
        start: span.start,
        end: span.end,
        text,
        tokens: countTextTokens(text),
        terms: terms(text),
      });
    });
  });
  return units;
}
