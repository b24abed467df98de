/**
 * Precision and recall of span detectors on a labelled set. A finding counts as correct when it
 * overlaps a labelled span of its type; a labelled span counts as found when a finding of its type
 * overlaps it. `any` rows ignore the type (a key reported as a high-entropy token still stops it).
 */
import type { Finding } from '../../../lib/guardrails';
import type { InjectionItem, SpanItem } from './dev-set';

export interface TypeScore {
  type: string;
  labelled: number;
  found: number;
  predicted: number;
  correct: number;
  precision: number;
  recall: number;
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start < b.end && b.start < a.end;
const ratio = (n: number, d: number): number => (d === 0 ? 1 : n / d);

export function scoreSpans(items: readonly SpanItem[], detect: (text: string) => Finding[], anyLabel?: string): TypeScore[] {
  const counts = new Map<string, { labelled: number; found: number; predicted: number; correct: number }>();
  const row = (type: string) => {
    let c = counts.get(type);
    if (c === undefined) counts.set(type, (c = { labelled: 0, found: 0, predicted: 0, correct: 0 }));
    return c;
  };
  for (const item of items) {
    const findings = detect(item.text);
    const rows: Array<[string, (t: string) => string]> = [[':type', (t) => t]];
    if (anyLabel !== undefined) rows.push([anyLabel, () => anyLabel]);
    for (const [, typeOf] of rows) {
      for (const span of item.spans) {
        const c = row(typeOf(span.type));
        c.labelled++;
        if (findings.some((f) => typeOf(f.type) === typeOf(span.type) && overlaps(f, span))) c.found++;
      }
      for (const f of findings) {
        const c = row(typeOf(f.type));
        c.predicted++;
        if (item.spans.some((s) => typeOf(s.type) === typeOf(f.type) && overlaps(f, s))) c.correct++;
      }
    }
  }
  return [...counts.entries()]
    .map(([type, c]) => ({ type, ...c, precision: ratio(c.correct, c.predicted), recall: ratio(c.found, c.labelled) }))
    .sort((a, b) => (a.type === anyLabel ? 1 : b.type === anyLabel ? -1 : a.type.localeCompare(b.type)));
}

export interface InjectionScore {
  attacks: number;
  benign: number;
  recall: number;
  falsePositiveRate: number;
  missed: string[];
  falsePositives: string[];
}

export function scoreInjection(items: readonly InjectionItem[], detect: (text: string) => Finding[]): InjectionScore {
  const flagged = (item: InjectionItem): boolean => detect(item.text).length > 0;
  const attacks = items.filter((i) => i.label === 'attack');
  const benign = items.filter((i) => i.label === 'benign');
  const missed = attacks.filter((i) => !flagged(i)).map((i) => i.id);
  const falsePositives = benign.filter(flagged).map((i) => i.id);
  return {
    attacks: attacks.length,
    benign: benign.length,
    recall: ratio(attacks.length - missed.length, attacks.length),
    falsePositiveRate: benign.length === 0 ? 0 : falsePositives.length / benign.length,
    missed,
    falsePositives,
  };
}
