/**
 * The difficulty threshold that sends a target share of requests to the strong model. It starts
 * from the threshold that did so on the development set (dev-calibration.ts) and follows the
 * scores traffic actually gets: a fixed histogram of observed scores (SKETCH_BINS bins over
 * [0, 1], so O(1) memory), halved every `recalibrate_every` observations (older traffic fades),
 * whose (1 − strong_share) quantile becomes the new threshold. The sketch serialises and merges
 * (histograms add), so processes can share it later (through Redis).
 */
import type { DifficultyDefinition } from './config';
import { devSetThreshold } from './dev-calibration';

export const SKETCH_BINS = 1000;
/** Weight kept by older observations at each recalibration. */
export const SKETCH_DECAY = 0.5;
export const RECALIBRATE_EVERY_DEFAULT = 200;

export interface SketchState {
  /** Weight per bin (bin i holds scores in [i/SKETCH_BINS, (i+1)/SKETCH_BINS)). */
  bins: number[];
}

export interface ThresholdCalibrator {
  /** Scores at or above it go to the strong model. */
  threshold(): number;
  /** Records a request's score (recalibrates every `recalibrate_every` observations). */
  observe(score: number): void;
  /** The sketch, for sharing. */
  serialise(): SketchState;
  /** Adds another process's sketch (ignored when malformed). */
  merge(state: SketchState): void;
}

/** A histogram of scores in [0, 1] whose weights can fade. */
export class ScoreSketch {
  private readonly bins = new Float64Array(SKETCH_BINS);
  private weight = 0;

  add(score: number, weight = 1): void {
    if (!Number.isFinite(score)) return;
    const bin = Math.min(SKETCH_BINS - 1, Math.max(0, Math.floor(score * SKETCH_BINS)));
    this.bins[bin]! += weight;
    this.weight += weight;
  }

  get total(): number {
    return this.weight;
  }

  decay(factor: number): void {
    for (let i = 0; i < SKETCH_BINS; i++) this.bins[i]! *= factor;
    this.weight *= factor;
  }

  /** The score above which `share` of the weight lies (interpolated within a bin); null when empty. */
  upperQuantile(share: number): number | null {
    if (this.weight <= 0) return null;
    const target = share * this.weight;
    let above = 0;
    for (let i = SKETCH_BINS - 1; i >= 0; i--) {
      const bin = this.bins[i]!;
      if (above + bin >= target && bin > 0) {
        // Scores spread evenly within the bin: take the part of it that completes the share.
        const inside = (target - above) / bin;
        return (i + 1 - inside) / SKETCH_BINS;
      }
      above += bin;
    }
    return 0;
  }

  serialise(): SketchState {
    return { bins: Array.from(this.bins) };
  }

  merge(state: SketchState): void {
    if (!state || !Array.isArray(state.bins) || state.bins.length !== SKETCH_BINS) return;
    if (!state.bins.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0)) return;
    for (let i = 0; i < SKETCH_BINS; i++) {
      this.bins[i]! += state.bins[i]!;
      this.weight += state.bins[i]!;
    }
  }
}

export interface CalibratorOptions {
  strongShare: number;
  initialThreshold: number;
  /** 0: the threshold never moves. */
  recalibrateEvery: number;
}

/** Keeps the strong share near its target by following the observed scores. */
export class QuantileCalibrator implements ThresholdCalibrator {
  private readonly sketch = new ScoreSketch();
  private current: number;
  private sinceRecalibration = 0;

  constructor(private readonly options: CalibratorOptions) {
    this.current = options.initialThreshold;
  }

  threshold(): number {
    return this.current;
  }

  observe(score: number): void {
    if (this.options.recalibrateEvery <= 0 || !Number.isFinite(score)) return;
    this.sketch.add(score);
    if (++this.sinceRecalibration < this.options.recalibrateEvery) return;
    this.sinceRecalibration = 0;
    this.current = this.sketch.upperQuantile(this.options.strongShare) ?? this.current;
    this.sketch.decay(SKETCH_DECAY);
  }

  serialise(): SketchState {
    return this.sketch.serialise();
  }

  merge(state: SketchState): void {
    this.sketch.merge(state);
  }
}

/** A router's calibrator: its configured initial threshold, else the development set's for its share. */
export function defaultCalibrator(difficulty: DifficultyDefinition): ThresholdCalibrator {
  return new QuantileCalibrator({
    strongShare: difficulty.strong_share,
    initialThreshold: difficulty.initial_threshold ?? devSetThreshold(difficulty.strong_share),
    recalibrateEvery: difficulty.recalibrate_every ?? RECALIBRATE_EVERY_DEFAULT,
  });
}
