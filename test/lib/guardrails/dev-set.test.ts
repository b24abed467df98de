/**
 * The goals on the development sets, so a change that costs precision or recall fails:
 * the checksum-backed types (cards, IBANs) at precision ≥ 0.95 and recall ≥ 0.9 on both the
 * development and the held-out set; the other rows pinned a little under what was measured when
 * the rules were frozen (docs/guardrails.md has the numbers), so a regression shows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findInjection, piiDetector, secretsDetector } from '../../../lib/guardrails';
import { GOALS, PHONE_COUNTRY } from '../../bench/guardrails';
import { loadInjectionHeldOut, loadInjectionSet, loadPiiHeldOut, loadPiiSet, loadSecretsSet, type SpanItem } from './dev-set';
import { scoreInjection, scoreSpans, type TypeScore } from './scoring';

const pii = piiDetector({ defaultCountry: PHONE_COUNTRY });
const secrets = secretsDetector();
const rowOf = (rows: TypeScore[], type: string): TypeScore => rows.find((r) => r.type === type)!;

describe('development sets', () => {
  it('are a few hundred labelled texts with positives and near misses, every span non-empty', () => {
    const spanSets: SpanItem[][] = [loadPiiSet(), loadPiiHeldOut(), loadSecretsSet()];
    for (const set of spanSets) {
      expect(set.some((i) => i.kind === 'positive') && set.some((i) => i.kind === 'near_miss')).toBe(true);
      for (const item of set) for (const span of item.spans) expect(span.end).toBeGreaterThan(span.start);
      for (const item of set.filter((i) => i.kind === 'near_miss')) expect(item.spans).toEqual([]);
    }
    const total = spanSets.flat().length + loadInjectionSet().length + loadInjectionHeldOut().length;
    expect(total).toBeGreaterThanOrEqual(300);
  });

  it('commit nothing key-shaped: secrets are generated when the set is read', () => {
    const raw = readFileSync(join(__dirname, '..', '..', 'fixtures', 'guardrails', 'secrets.jsonl'), 'utf8');
    // PEM BEGIN lines are committed as they are (a header is not a key); their bodies are generated.
    expect(
      secretsDetector({ highEntropy: false })
        .detect(raw)
        .filter((f) => f.type !== 'private_key'),
    ).toEqual([]);
    expect(loadSecretsSet().some((i) => secrets.detect(i.text).length > 0)).toBe(true);
  });
});

describe('goals at the shipped defaults', () => {
  it.each([
    ['development', loadPiiSet],
    ['held-out', loadPiiHeldOut],
  ])('cards and IBANs (checksum-backed): precision ≥ 0.95, recall ≥ 0.9 on the %s set', (_name, load) => {
    const rows = scoreSpans(load(), (t) => pii.detect(t));
    for (const type of GOALS.checksumTypes) {
      const row = rowOf(rows, type);
      expect({ type, precision: row.precision >= GOALS.precision, recall: row.recall >= GOALS.recall }).toEqual({ type, precision: true, recall: true });
    }
  });

  it('the other PII types stay at their measured level', () => {
    const rows = scoreSpans(loadPiiSet(), (t) => pii.detect(t));
    const floors: Record<string, [number, number]> = {
      email: [0.95, 0.95],
      phone: [0.9, 0.9],
      ssn: [0.95, 0.95],
      ip_address: [0.85, 0.95],
      date_of_birth: [0.95, 0.85],
      person_name: [0.8, 0.7],
      address: [0.95, 0.85],
    };
    for (const [type, [precision, recall]] of Object.entries(floors)) {
      const row = rowOf(rows, type);
      expect({ type, precision: row.precision >= precision, recall: row.recall >= recall }).toEqual({ type, precision: true, recall: true });
    }
  });

  it('secrets: any-type precision ≥ 0.9 and recall ≥ 0.95; every provider format found', () => {
    const rows = scoreSpans(loadSecretsSet(), (t) => secrets.detect(t), 'any secret');
    const any = rowOf(rows, 'any secret');
    expect(any.precision).toBeGreaterThanOrEqual(0.9);
    expect(any.recall).toBeGreaterThanOrEqual(0.95);
    for (const row of rows.filter((r) => r.type !== 'high_entropy' && r.type !== 'any secret'))
      expect({ type: row.type, recall: row.recall }).toEqual({ type: row.type, recall: 1 });
  });

  it('injection rules: recall and false positives at their measured level on both sets', () => {
    const development = scoreInjection(loadInjectionSet(), findInjection);
    expect(development.recall).toBeGreaterThanOrEqual(0.9);
    expect(development.falsePositiveRate).toBeLessThanOrEqual(0.05);
    const heldOut = scoreInjection(loadInjectionHeldOut(), findInjection);
    expect(heldOut.recall).toBeGreaterThanOrEqual(0.4);
    expect(heldOut.falsePositiveRate).toBeLessThanOrEqual(0.05);
  });
});
