/**
 * A trained difficulty classifier run with onnxruntime-node (a RouteLLM-style router exported to
 * ONNX). Input contract (docs/routing.md):
 *   - `features`: float32 [batch, SCORING_FEATURE_COUNT], the scoring vector (scoring-features.ts);
 *   - `embedding` (optional input): float32 [batch, D], the last user text's embedding from the
 *     inference sidecar (zeros when the embedder gives none);
 *   - output: its first output, float32 [batch, 1] or [batch]: the probability the strong model
 *     is needed (a [batch, 2] output is read as [weak, strong] probabilities).
 * Loaded once, in the background; until it is, or when it fails, score() rejects at once and the
 * router answers its default model (fail open).
 */
import * as ort from 'onnxruntime-node';
import type { DifficultyScorer } from './difficulty';
import { SCORING_FEATURE_COUNT, scoringVector } from './scoring-features';

export const ONNX_FEATURES_INPUT = 'features';
export const ONNX_EMBEDDING_INPUT = 'embedding';

interface LoadedModel {
  session: ort.InferenceSession;
  /** The embedding width the model expects, or 0 when it reads no embedding. */
  embeddingWidth: number;
}

async function load(modelPath: string): Promise<LoadedModel> {
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  if (!session.inputNames.includes(ONNX_FEATURES_INPUT)) throw new Error(`${modelPath}: the model has no "${ONNX_FEATURES_INPUT}" input`);
  let embeddingWidth = 0;
  if (session.inputNames.includes(ONNX_EMBEDDING_INPUT)) {
    const metadata = session.inputMetadata.find((input) => input.name === ONNX_EMBEDDING_INPUT);
    const width = metadata?.isTensor ? metadata.shape[1] : undefined;
    if (typeof width !== 'number' || width < 1) throw new Error(`${modelPath}: the "${ONNX_EMBEDDING_INPUT}" input needs a fixed width`);
    embeddingWidth = width;
  }
  return { session, embeddingWidth };
}

/** The probability in a classifier's first output: [1] or [1, 1] as is, [1, 2] as its second column. */
function probabilityOf(output: ort.Tensor): number {
  const data = output.data as Float32Array;
  const value = output.dims.length === 2 && output.dims[1] === 2 ? data[1] : data[0];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error('the classifier gave no probability');
  return value;
}

/** A scorer over the ONNX model at `modelPath` (loading starts now). */
export function onnxScorer(modelPath: string): DifficultyScorer & { ready: Promise<void> } {
  // Unknown until loaded: until then the router embeds the text in case the model reads it.
  let embeddingWidth = -1;
  const loaded = load(modelPath).then(
    (model) => {
      embeddingWidth = model.embeddingWidth;
      return model;
    },
    (error: unknown) => {
      // No model: nothing to embed for; each score rejects with the load's error.
      embeddingWidth = 0;
      throw error;
    },
  );
  // Rejections surface on score(); this copy only keeps an early failure from being unhandled.
  const ready = loaded.then(() => undefined);
  ready.catch(() => undefined);
  return {
    get usesEmbedding() {
      return embeddingWidth !== 0;
    },
    ready,
    async score(features, embedding) {
      // A request never waits for the model to load: until then it fails open.
      if (embeddingWidth < 0) throw new Error('the difficulty model is still loading');
      const { session } = await loaded;
      // Plain arrays: the runtime copies them into its own typed arrays (a typed array from another realm, as under jest, is refused).
      const feeds: Record<string, ort.Tensor> = {
        [ONNX_FEATURES_INPUT]: new ort.Tensor('float32', Array.from(scoringVector(features)), [1, SCORING_FEATURE_COUNT]),
      };
      if (embeddingWidth > 0) {
        const vector = embedding && embedding.length === embeddingWidth ? Array.from(embedding) : new Array<number>(embeddingWidth).fill(0);
        feeds[ONNX_EMBEDDING_INPUT] = new ort.Tensor('float32', vector, [1, embeddingWidth]);
      }
      const outputs = await session.run(feeds);
      return probabilityOf(outputs[session.outputNames[0]!]!);
    },
  };
}
