/**
 * The difficulty threshold follows traffic: over a synthetic mix whose score distribution shifts
 * twice, the share sent to the strong model stays within TOLERANCE of its target once each shift
 * has been seen (after SETTLE requests); the sketch is bounded, serialises and merges.
 */
import { QuantileCalibrator, ScoreSketch, SKETCH_BINS } from '../../../lib/router/calibration';
import { DEV_SET_QUANTILES, devSetThreshold } from '../../../lib/router/dev-calibration';

/** Strong share of a window, after the calibrator has seen a shift for SETTLE requests: within 5 points of the target. */
const TOLERANCE = 0.05;
const SETTLE = 1000;
const WINDOW = 2000;

/** A deterministic stream of scores from a Beta-like distribution (mean of k uniforms, shifted and scaled). */
function scores(seed: number, shape: (u: number) => number): () => number {
  let state = seed;
  const uniform = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  return () => Math.min(1, Math.max(0, shape((uniform() + uniform() + uniform()) / 3)));
}

describe('QuantileCalibrator', () => {
  it.each([0.1, 0.3, 0.5])('keeps the strong share near %p while the score distribution shifts', (target) => {
    const calibrator = new QuantileCalibrator({ strongShare: target, initialThreshold: devSetThreshold(target), recalibrateEvery: 200 });
    const phases = [
      scores(1, (u) => u * 0.5), // easy traffic: scores in [0, 0.5]
      scores(2, (u) => 0.3 + u * 0.7), // a harder mix arrives
      scores(3, (u) => u ** 3), // mostly trivial steps (an agent's tool loop)
    ];
    for (const next of phases) {
      for (let i = 0; i < SETTLE; i++) calibrator.observe(next());
      let strong = 0;
      for (let i = 0; i < WINDOW; i++) {
        const score = next();
        if (score >= calibrator.threshold()) strong++;
        calibrator.observe(score);
      }
      expect(Math.abs(strong / WINDOW - target)).toBeLessThanOrEqual(TOLERANCE);
    }
  });

  it('keeps its starting threshold until enough scores are seen, and forever with recalibrate_every 0', () => {
    const moving = new QuantileCalibrator({ strongShare: 0.3, initialThreshold: 0.42, recalibrateEvery: 100 });
    const frozen = new QuantileCalibrator({ strongShare: 0.3, initialThreshold: 0.42, recalibrateEvery: 0 });
    for (let i = 0; i < 99; i++) moving.observe(0.9);
    expect(moving.threshold()).toBe(0.42);
    moving.observe(0.9);
    expect(moving.threshold()).toBeGreaterThan(0.89);
    for (let i = 0; i < 1000; i++) frozen.observe(0.9);
    expect(frozen.threshold()).toBe(0.42);
  });

  it('ignores non-finite scores', () => {
    const calibrator = new QuantileCalibrator({ strongShare: 0.5, initialThreshold: 0.5, recalibrateEvery: 2 });
    calibrator.observe(Number.NaN);
    calibrator.observe(Number.POSITIVE_INFINITY);
    expect(calibrator.threshold()).toBe(0.5);
  });
});

describe('ScoreSketch', () => {
  it('finds the upper quantile, fades older weight and stays a fixed size', () => {
    const sketch = new ScoreSketch();
    for (let i = 0; i < 1000; i++) sketch.add(i / 1000);
    expect(sketch.upperQuantile(0.3)).toBeCloseTo(0.7, 2);
    sketch.decay(0.5);
    expect(sketch.total).toBeCloseTo(500);
    expect(sketch.serialise().bins).toHaveLength(SKETCH_BINS);
    expect(new ScoreSketch().upperQuantile(0.3)).toBeNull();
  });

  it('merges another process’s sketch and ignores a malformed one', () => {
    const a = new ScoreSketch();
    const b = new ScoreSketch();
    for (let i = 0; i < 100; i++) a.add(0.1);
    for (let i = 0; i < 100; i++) b.add(0.9);
    a.merge(b.serialise());
    expect(a.total).toBe(200);
    expect(a.upperQuantile(0.5)).toBeGreaterThan(0.85);
    a.merge({ bins: [1, 2, 3] });
    a.merge({ bins: new Array(SKETCH_BINS).fill(-1) });
    a.merge(null as never);
    expect(a.total).toBe(200);
  });

  it('shares the calibrator state the same way', () => {
    const one = new QuantileCalibrator({ strongShare: 0.3, initialThreshold: 0.5, recalibrateEvery: 50 });
    const two = new QuantileCalibrator({ strongShare: 0.3, initialThreshold: 0.5, recalibrateEvery: 50 });
    for (let i = 0; i < 40; i++) one.observe(0.8);
    two.merge(one.serialise());
    for (let i = 0; i < 50; i++) two.observe(0.2);
    // 40 at 0.8 of 90 seen: above 30 %, so the threshold sits among the 0.8 scores.
    expect(two.threshold()).toBeGreaterThan(0.79);
  });
});

describe('devSetThreshold', () => {
  it('reads the development set quantiles: a higher share, a lower threshold', () => {
    expect(devSetThreshold(0.5)).toBe(DEV_SET_QUANTILES[10]);
    expect(devSetThreshold(0.3)).toBeGreaterThan(devSetThreshold(0.4));
    expect(devSetThreshold(0.001)).toBeLessThanOrEqual(1);
    expect(devSetThreshold(0.999)).toBeGreaterThanOrEqual(0);
  });
});
