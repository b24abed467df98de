/**
 * Guards the measured quality against regressions: on the development QA set the default method
 * keeps the answer in at least 95% of items at 3× and beats the BM25 baseline at 3× and 5×.
 */
import { qaSet } from '../../bench/compression-qa';
import { measureQa, QA_METHODS } from '../../bench/compression-quality';

const items = qaSet();

test.each([0.33, 0.2])('question_aware beats bm25 at rate %s', (rate) => {
  const questionAware = measureQa('question_aware', QA_METHODS.question_aware, rate, items);
  const bm25 = measureQa('bm25', QA_METHODS.bm25, rate, items);
  expect(questionAware.ratio).toBeGreaterThan(0.95 / rate);
  expect(questionAware.answerKept).toBeGreaterThan(bm25.answerKept);
  if (rate === 0.33) expect(questionAware.answerKept).toBeGreaterThanOrEqual(0.95);
});
