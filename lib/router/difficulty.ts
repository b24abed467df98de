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
 * Hand-set weights over SCORING_FEATURE_NAMES, chosen on the development set (test/bench/router.ts
 * reports the agreement they reach): length, code, reasoning words and constraints raise the score;
 * tool-result steps, easy task words and JSON extraction lower it.
 */
export const HEURISTIC_WEIGHTS: readonly number[] = [
  2.0, // prompt_tokens_log
  0.2, // has_tools
  0.3, // has_images
  1.0, // has_code
  -0.6, // json_mode
  0.3, // depth_log
  -2.0, // last_role_tool
  0.0, // last_role_assistant
  3.0, // hard_terms
  -2.0, // easy_terms
  1.0, // math_density
  1.5, // constraint_lines
  0.3, // questions
  1.5, // text_chars_log
];
export const HEURISTIC_BIAS = -3.0;
/** Weight of (similarity to the nearest hard anchor − similarity to the nearest easy anchor). */
export const ANCHOR_WEIGHT = 6.0;
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
