/**
 * A sentence-transformers style ONNX embedder (e.g. all-MiniLM-L6-v2): last_hidden_state (or the
 * first output) mean-pooled over the attention mask, then L2-normalised.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadTokenizer } from '../llmlingua2/onnx-scorer';
import type { ModelManifest } from '../models/manifest';
import type { Embedder } from './embedder';

export async function loadOnnxEmbedder(dir: string, manifest: ModelManifest): Promise<Embedder> {
  const { tokenizer } = loadTokenizer(path.join(dir, manifest.tokenizer));
  const session = await ort.InferenceSession.create(path.join(dir, manifest.onnx), { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const output = session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0];
  const dimensions = manifest.dimensions ?? 0;
  const embedOne = async (text: string): Promise<Float32Array> => {
    const encoded = tokenizer.encode(text);
    const n = Math.min(encoded.ids.length, manifest.max_seq_len);
    const ids = BigInt64Array.from(encoded.ids.slice(0, n), (id) => BigInt(id));
    const mask = new BigInt64Array(n).fill(1n);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [1, n]),
      attention_mask: new ort.Tensor('int64', mask, [1, n]),
    };
    if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(n), [1, n]);
    const hidden = (await session.run(feeds))[output];
    const width = hidden.dims[hidden.dims.length - 1];
    if (width !== dimensions) throw new Error(`${manifest.id}: output width ${width} is not the manifest's ${dimensions}`);
    const data = hidden.data as Float32Array;
    const pooled = new Float32Array(width);
    for (let t = 0; t < n; t++) for (let d = 0; d < width; d++) pooled[d] += data[t * width + d] / n;
    const norm = Math.hypot(...pooled) || 1;
    return pooled.map((v) => v / norm);
  };
  return {
    id: manifest.id,
    dimensions,
    async embed(texts: string[]): Promise<Float32Array[]> {
      const out: Float32Array[] = [];
      for (const text of texts) out.push(await embedOne(text));
      return out;
    },
  };
}
