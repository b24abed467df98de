/**
 * The model side of LLMLingua-2: a token-classification ONNX graph run by onnxruntime-node and
 * its tokenizer.json read by @huggingface/tokenizers. Loaded once per worker.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import type { ModelManifest, WordStyle } from '../models/manifest';
import type { TokenScorer } from './compress';

/** Chunks per session run: padding cost stays small and memory bounded. */
const BATCH_CHUNKS = 8;

interface TokenizerJson {
  added_tokens?: { content: string; special?: boolean }[];
}

export interface TokenizerParts {
  tokenizer: Tokenizer;
  specialTokens: Set<string>;
  clsId: number;
  sepId: number;
  padId: number;
}

/** The tokenizer of a model folder and the ids of the tokens that frame a chunk. */
export function loadTokenizer(file: string): TokenizerParts {
  const json = JSON.parse(readFileSync(file, 'utf8')) as TokenizerJson;
  const tokenizer = new Tokenizer(json, {});
  const specialTokens = new Set((json.added_tokens ?? []).filter((t) => t.special).map((t) => t.content));
  const idOf = (...names: string[]): number => {
    for (const name of names) {
      const id = tokenizer.token_to_id(name);
      if (id !== undefined) return id;
    }
    throw new Error(`${file}: none of ${names.join(', ')} is in the vocabulary`);
  };
  return { tokenizer, specialTokens, clsId: idOf('[CLS]', '<s>'), sepId: idOf('[SEP]', '</s>'), padId: idOf('[PAD]', '<pad>') };
}

const keepProbability = (dropLogit: number, keepLogit: number): number => 1 / (1 + Math.exp(dropLogit - keepLogit));

export class OnnxTokenScorer implements TokenScorer {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly parts: TokenizerParts,
    readonly style: WordStyle,
    readonly maxSeqLen: number,
  ) {}

  get specialTokens(): ReadonlySet<string> {
    return this.parts.specialTokens;
  }

  static async load(dir: string, manifest: ModelManifest): Promise<OnnxTokenScorer> {
    const parts = loadTokenizer(path.join(dir, manifest.tokenizer));
    // One intra-op thread: the pool already uses a worker per core.
    const session = await ort.InferenceSession.create(path.join(dir, manifest.onnx), { intraOpNumThreads: 1, interOpNumThreads: 1 });
    for (const name of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(name)) throw new Error(`${manifest.id}: the graph has no input ${name}`);
    }
    if (!session.outputNames.includes('logits')) throw new Error(`${manifest.id}: the graph has no output logits`);
    return new OnnxTokenScorer(session, parts, manifest.word_style, manifest.max_seq_len);
  }

  tokenize(text: string): string[] {
    return this.parts.tokenizer.tokenize(text);
  }

  async keepProbabilities(chunks: string[][]): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < chunks.length; i += BATCH_CHUNKS) out.push(...(await this.runBatch(chunks.slice(i, i + BATCH_CHUNKS))));
    return out;
  }

  private async runBatch(chunks: string[][]): Promise<number[][]> {
    const { tokenizer, clsId, sepId, padId } = this.parts;
    const width = Math.min(this.maxSeqLen, Math.max(...chunks.map((c) => c.length)) + 2);
    const ids = new BigInt64Array(chunks.length * width).fill(BigInt(padId));
    const mask = new BigInt64Array(chunks.length * width);
    chunks.forEach((tokens, row) => {
      const framed = [clsId, ...tokens.slice(0, width - 2).map((t) => tokenizer.token_to_id(t) ?? padId), sepId];
      framed.forEach((id, col) => {
        ids[row * width + col] = BigInt(id);
        mask[row * width + col] = 1n;
      });
    });
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [chunks.length, width]),
      attention_mask: new ort.Tensor('int64', mask, [chunks.length, width]),
    };
    if (this.session.inputNames.includes('token_type_ids'))
      feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(chunks.length * width), [chunks.length, width]);
    const { logits } = await this.session.run(feeds);
    const data = logits.data as Float32Array;
    if (logits.dims.length !== 3 || logits.dims[2] !== 2) throw new Error(`logits shape [${logits.dims.join(', ')}] is not [batch, seq, 2]`);
    // Probabilities of the chunk's own tokens: [CLS] at 0 and [SEP] after them are left out.
    return chunks.map((tokens, row) =>
      tokens.map((_, k) => {
        const at = (row * width + k + 1) * 2;
        return keepProbability(data[at], data[at + 1]);
      }),
    );
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
