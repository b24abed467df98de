/**
 * A deterministic stand-in for the sidecar's Embed: a bag of lower-case words hashed into 64
 * dimensions, so the same words give cosine 1 and texts sharing no word give about 0. Records
 * each call; can be told to fail or to answer with another model.
 */
import type { EmbedTexts } from '../../../lib/guardrails';

export interface FakeEmbedder {
  embed: EmbedTexts;
  calls: Array<{ texts: string[]; model: string; withSignal: boolean }>;
  model: string;
  failing: boolean;
  /** Milliseconds each call takes. */
  delayMs: number;
}

export function bagOfWords(text: string): Float32Array {
  const vector = new Float32Array(64);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let h = 2166136261;
    for (const c of word) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
    vector[(h >>> 0) % 64]! += 1;
  }
  return vector;
}

export function fakeEmbedder(model = 'fake-1'): FakeEmbedder {
  const fake: FakeEmbedder = {
    calls: [],
    model,
    failing: false,
    delayMs: 0,
    embed: async (texts, requested, signal) => {
      fake.calls.push({ texts, model: requested, withSignal: signal !== undefined });
      if (fake.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
      if (fake.failing) throw new Error('unavailable');
      return { vectors: texts.map(bagOfWords), model: requested || fake.model };
    },
  };
  return fake;
}
