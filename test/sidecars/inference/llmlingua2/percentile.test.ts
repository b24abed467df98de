import { percentile } from '../../../../sidecars/inference/llmlingua2/percentile';

describe('percentile (numpy linear)', () => {
  it.each([
    [[1, 2, 3, 4], 50, 2.5],
    [[1, 2, 3, 4, 5], 51, 3.04],
    [[0.9, 0.1], 0, 0.1],
    [[0.9, 0.1], 100, 0.9],
    [[5], 37, 5],
    [[0.1, 0.2, 0.8, 0.9], 51, 0.518],
  ])('percentile(%j, %d) = %d', (values, q, expected) => {
    expect(percentile(values, q)).toBeCloseTo(expected, 10);
  });

  it('refuses an empty list', () => {
    expect(() => percentile([], 50)).toThrow('no values');
  });
});
