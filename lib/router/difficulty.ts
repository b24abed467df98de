/**
 * Difficulty scorers: how likely a request needs the strong model, in [0, 1]. RouteLLM's idea
 * without its trained weights: the heuristic scorer is a logistic model over the scoring vector
 * (scoring-features.ts) with weights chosen on the development set, plus the request's embedding
 * similarity to easy and hard anchor prompts (anchors.ts) when an embedding is available. The
 * ONNX scorer (onnx-scorer.ts) runs a trained classifier instead.
 */
import type { RequestFeatures } from './features';
import { cosine } from './references';
import { SCORING_FEATURE_COUNT, scoringVector } from './scoring-features';

export interface DifficultyScorer {
  /** Whether score() reads an embedding of the last user text (else it is passed null). */
  readonly usesEmbedding: boolean;
  /** In [0, 1]; higher means harder. */
  score(features: RequestFeatures, embedding: Float32Array | null): number | Promise<number>;
}

/** Anchor vectors (normalised) of easy and hard prompts, once embedded; null until then. */
export type AnchorVectors = () => { easy: readonly Float32Array[]; hard: readonly Float32Array[] } | null;

/**
 * Weights over SCORING_FEATURE_NAMES: an L2-regularised logistic regression fitted on the
 * development set (`npx tsx test/bench/router.ts --fit`), rounded and frozen before the held-out
 * set was written. Reasoning words, length and closeness to the hard anchors raise the score; easy
 * task words and several short questions lower it.
 */
export const HEURISTIC_WEIGHTS: readonly number[] = [
  2.7, // prompt_tokens_log
  -0.1, // has_tools
  0.0, // has_images
  -0.4, // has_code
  0.0, // json_mode
  0.0, // depth_log
  -0.1, // last_role_tool
  0.0, // last_role_assistant
  5.1, // hard_terms
  -1.3, // easy_terms
  -0.8, // math_density
  0.0, // constraint_lines
  -1.3, // questions
  5.1, // text_chars_log
];
export const HEURISTIC_BIAS = -4.6;
/** Weight of the anchor pull (nearest hard anchors' similarity − nearest easy anchors'), fitted with the others. */
export const ANCHOR_WEIGHT = 4.9;
/** Anchors averaged per side (the nearest ones): one odd anchor does not decide. */
const ANCHORS_AVERAGED = 3;

if (HEURISTIC_WEIGHTS.length !== SCORING_FEATURE_COUNT) throw new Error('HEURISTIC_WEIGHTS must weigh every scoring feature');

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Mean cosine of the `k` references nearest to `unit`. */
function nearestMean(unit: Float32Array, references: readonly Float32Array[], k: number): number {
  const top: number[] = [];
  for (const reference of references) {
    const similarity = cosine(reference, unit);
    if (top.length < k) top.push(similarity);
    else {
      const lowest = top.indexOf(Math.min(...top));
      if (similarity > top[lowest]!) top[lowest] = similarity;
    }
  }
  return top.length === 0 ? 0 : top.reduce((a, b) => a + b, 0) / top.length;
}

/** The anchors' pull on an embedding: positive when nearer the hard anchors. */
export function anchorPull(embedding: Float32Array, anchors: ReturnType<AnchorVectors>): number {
  if (!anchors || anchors.easy.length === 0 || anchors.hard.length === 0) return 0;
  return nearestMean(embedding, anchors.hard, ANCHORS_AVERAGED) - nearestMean(embedding, anchors.easy, ANCHORS_AVERAGED);
}

export interface HeuristicOptions {
  /** Anchor vectors; without them (or without an embedding) the score reads the features only. */
  anchors?: AnchorVectors;
  weights?: readonly number[];
  bias?: number;
  anchorWeight?: number;
}

export function heuristicScorer(options: HeuristicOptions = {}): DifficultyScorer {
  const weights = options.weights ?? HEURISTIC_WEIGHTS;
  const bias = options.bias ?? HEURISTIC_BIAS;
  const anchorWeight = options.anchorWeight ?? ANCHOR_WEIGHT;
  return {
    usesEmbedding: options.anchors !== undefined,
    score(features, embedding) {
      const vector = scoringVector(features);
      let z = bias;
      for (let i = 0; i < vector.length; i++) z += weights[i]! * vector[i]!;
      if (embedding && options.anchors) z += anchorWeight * anchorPull(embedding, options.anchors());
      return sigmoid(z);
    },
  };
}
