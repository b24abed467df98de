// The mock's tokenizer: deterministic and trivially predictable from a test.
//   token = a run of letters/digits/underscore, or any single other non-space character.
//   "Hello, world!" -> ["Hello", ",", "world", "!"] = 4 tokens. Whitespace is never a token.
// It is used for prompt_tokens, completion_tokens and for cutting answers into stream chunks.

const TOKEN_RE = /[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu;

export function tokenize(text: string): string[] {
  return text.match(TOKEN_RE) ?? [];
}

export function countTokens(text: string): number {
  return tokenize(text).length;
}

/**
 * Splits text into stream pieces, one per token, each carrying the whitespace before it
 * (trailing whitespace joins the last piece), so the pieces concatenate back to the text.
 */
export function splitIntoPieces(text: string): string[] {
  const pieces: string[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN_RE)) {
    const end = (m.index ?? 0) + m[0].length;
    pieces.push(text.slice(last, end));
    last = end;
  }
  if (last < text.length) {
    if (pieces.length === 0) pieces.push(text.slice(last));
    else pieces[pieces.length - 1] += text.slice(last);
  }
  return pieces;
}

// Small vocabulary for generated answers; plain lowercase words so each is exactly one token.
const WORDS = (
  'the quick model answers every question with calm and careful words about systems data ' +
  'gateways tokens streams requests latency budgets caches routes keys teams servers clients ' +
  'prompts replies errors retries limits metrics traces logs plans costs usage queues nodes ' +
  'simple clear fast stable open secure local remote shared private public small large'
).split(' ');

/** One word of the answer vocabulary (one token), drawn with `rand`. */
export function randomWord(rand: () => number): string {
  return WORDS[Math.floor(rand() * WORDS.length)];
}

/** FNV-1a, 32 bit: cheap stable hash for seeds and feature hashing. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: tiny seeded PRNG so generated answers repeat exactly for equal seeds. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Generates exactly `count` tokens of sentence-like text from `seed`, returned as stream pieces.
 * Sentences end with "." (itself a token) and the next one starts capitalised.
 */
export function generatePieces(count: number, seed: string): string[] {
  const rand = prng(hash32(seed));
  const pieces: string[] = [];
  let sentenceStart = true;
  while (pieces.length < count) {
    const remaining = count - pieces.length;
    if (!sentenceStart && remaining > 1 && rand() < 0.12) {
      pieces.push('.');
      sentenceStart = true;
      continue;
    }
    let word = randomWord(rand);
    if (sentenceStart) word = word[0].toUpperCase() + word.slice(1);
    pieces.push(pieces.length === 0 ? word : ' ' + word);
    sentenceStart = false;
  }
  return pieces;
}
