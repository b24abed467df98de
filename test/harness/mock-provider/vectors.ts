// Deterministic embeddings: a signed, hashed bag of words, L2-normalised. Equal texts give equal
// vectors; texts sharing words get a high cosine similarity; unrelated texts score near 0.
// Token-array inputs hash each token id as a word, so they follow the same rules.

import { hash32, tokenize } from './tokenizer';

export function embedWords(words: string[], dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const w of words) {
    const h = hash32(w.toLowerCase());
    // A second hash picks the sign, so collisions cancel out instead of piling up.
    const sign = hash32('±' + w.toLowerCase()) & 1 ? 1 : -1;
    v[h % dims] += sign;
  }
  let norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  if (norm === 0) {
    // Whitespace-only text: still a valid unit vector, deterministic.
    v[0] = 1;
    norm = 1;
  }
  return v.map((x) => x / norm);
}

export const embedText = (text: string, dims: number) => embedWords(tokenize(text), dims);
export const embedTokenIds = (ids: number[], dims: number) =>
  embedWords(
    ids.map((id) => `#${id}`),
    dims,
  );

/** OpenAI's `encoding_format: "base64"`: little-endian float32 bytes, base64. */
export function toBase64(v: number[]): string {
  const buf = Buffer.alloc(v.length * 4);
  v.forEach((x, i) => buf.writeFloatLE(x, i * 4));
  return buf.toString('base64');
}

export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return dot;
}
