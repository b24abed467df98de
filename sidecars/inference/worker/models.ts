/** The models one worker holds, loaded once when it starts; a model that fails stays listed with its error. */
import { performance } from 'node:perf_hooks';
import { USE_LITE_MODEL_ID } from '../config';
import type { Embedder } from '../embed/embedder';
import { loadOnnxEmbedder } from '../embed/onnx-embedder';
import { loadUseLite } from '../embed/use-lite';
import type { TokenScorer } from '../llmlingua2/compress';
import { OnnxTokenScorer } from '../llmlingua2/onnx-scorer';
import type { ModelStatus, WorkerInit } from '../pool/messages';

export interface LoadedModels {
  scorers: Map<string, TokenScorer>;
  embedders: Map<string, Embedder>;
  statuses: ModelStatus[];
}

async function timed<T>(load: () => Promise<T>): Promise<{ value: T | null; error?: string; seconds: number }> {
  const start = performance.now();
  try {
    const value = await load();
    return { value, seconds: (performance.now() - start) / 1000 };
  } catch (error) {
    return { value: null, error: (error as Error).message, seconds: (performance.now() - start) / 1000 };
  }
}

export async function loadWorkerModels(init: WorkerInit): Promise<LoadedModels> {
  const loaded: LoadedModels = { scorers: new Map(), embedders: new Map(), statuses: [] };
  if (init.builtinEmbedder) {
    const r = await timed(loadUseLite);
    if (r.value) loaded.embedders.set(USE_LITE_MODEL_ID, r.value);
    loaded.statuses.push({ id: USE_LITE_MODEL_ID, kind: 'sentence-embedding', ok: !!r.value, error: r.error, loadSeconds: r.seconds });
  }
  for (const { dir, manifest } of init.models) {
    // aigw-router's trained scorer lives in the models folder but runs in the plugin server.
    if (manifest.kind === 'difficulty-classifier') continue;
    if (manifest.kind === 'token-classification') {
      const r = await timed(() => OnnxTokenScorer.load(dir, manifest));
      if (r.value) loaded.scorers.set(manifest.id, r.value);
      loaded.statuses.push({ id: manifest.id, kind: manifest.kind, ok: !!r.value, error: r.error, loadSeconds: r.seconds });
    } else {
      const r = await timed(() => loadOnnxEmbedder(dir, manifest));
      if (r.value) loaded.embedders.set(manifest.id, r.value);
      loaded.statuses.push({ id: manifest.id, kind: manifest.kind, ok: !!r.value, error: r.error, loadSeconds: r.seconds });
    }
  }
  return loaded;
}
