/**
 * The goal, enforced: at SEMANTIC_THRESHOLD_DEFAULT with the guards on, the development set's hits
 * are ≥ 98% paraphrases and ≥ 50% of paraphrases hit. Embeds the set with USE Lite in-process
 * (a few seconds); nothing is cached on disk.
 */
import { SEMANTIC_THRESHOLD_DEFAULT } from '../../../../lib/semantic-cache/defaults';
import { type CachePrecision, chooseThreshold, measureCachePrecision, PRECISION_GOAL, RECALL_GOAL, rowAt } from '../../../bench/cache-precision';

let result: CachePrecision;

beforeAll(async () => {
  result = await measureCachePrecision();
}, 60_000);

test('the default threshold with guards meets precision ≥ 0.98 at recall ≥ 0.5', () => {
  const row = rowAt(result.pairs, SEMANTIC_THRESHOLD_DEFAULT, true);
  expect(row.precision).toBeGreaterThanOrEqual(PRECISION_GOAL);
  expect(row.recall).toBeGreaterThanOrEqual(RECALL_GOAL);
});

test('no negation, antonym, number, entity or direction trap is hit at the default', () => {
  const row = rowAt(result.pairs, SEMANTIC_THRESHOLD_DEFAULT, true);
  for (const label of ['negation', 'antonym', 'number', 'entity', 'direction']) expect(row.trapHitShare[label]).toBe(0);
});

test('the default is the threshold the bench chooses, and the guards are what make it safe', () => {
  expect(chooseThreshold(result.rows)).toBe(SEMANTIC_THRESHOLD_DEFAULT);
  expect(rowAt(result.pairs, SEMANTIC_THRESHOLD_DEFAULT, false).precision).toBeLessThan(0.5);
});
