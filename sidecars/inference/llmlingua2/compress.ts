/**
 * LLMLingua-2 prompt compression (microsoft/LLMLingua `PromptCompressor.compress_prompt_llmlingua2`
 * and its `__compress`, `__get_context_prob`): a token classifier scores every sub-word, words
 * take the mean of their tokens, and each chunk keeps the words above a percentile threshold
 * chosen so about `rate` of its o200k tokens survive. Pure over a `TokenScorer`, so the
 * algorithm is tested with a fake scorer and run with the ONNX one.
 */
import type { WordStyle } from '../models/manifest';
import { CHUNK_END_TOKENS, chunkTokenRanges } from './chunks';
import { percentile } from './percentile';
import { type ScoredWords, tokensToWords, wordsToText } from './words';

/** The model side: tokenizer and classifier. */
export interface TokenScorer {
  readonly style: WordStyle;
  readonly maxSeqLen: number;
  readonly specialTokens: ReadonlySet<string>;
  /** Sub-word tokens of a text, without special tokens. */
  tokenize(text: string): string[];
  /** Keep-probability (softmax(logits)[1]) of every token of every chunk, specials excluded. */
  keepProbabilities(chunks: string[][]): Promise<number[][]>;
}

export interface Llmlingua2Options {
  /** Fraction of tokens to keep, (0, 1]. */
  rate: number;
  /** > 0: overrides rate (rate = min(target / original, 1)). */
  targetTokens: number;
  forceTokens: string[];
  forceReserveDigit: boolean;
  dropConsecutive: boolean;
  useContextLevelFilter: boolean;
}

export interface Llmlingua2Result {
  /** One per input segment; a segment the context-level filter dropped is empty. */
  segments: string[];
  originalTokens: number;
  compressedTokens: number;
}

/** LLMLingua-2's default rate when the caller gives none. */
export const LLMLINGUA2_DEFAULT_RATE = 0.5;

type CountTokens = (text: string) => number;

interface Chunk {
  segment: number;
  tokens: string[];
}

function chunkSegments(segments: readonly string[], scorer: TokenScorer): Chunk[] {
  const chunkEnd = new Set(CHUNK_END_TOKENS);
  const chunks: Chunk[] = [];
  segments.forEach((text, segment) => {
    const tokens = scorer.tokenize(text);
    for (const [start, end] of chunkTokenRanges(tokens, scorer.maxSeqLen, chunkEnd)) chunks.push({ segment, tokens: tokens.slice(start, end) });
  });
  return chunks;
}

async function scoreChunks(chunks: Chunk[], scorer: TokenScorer, options: Llmlingua2Options): Promise<ScoredWords[]> {
  const probs = await scorer.keepProbabilities(chunks.map((c) => c.tokens));
  const wordOptions = {
    style: scorer.style,
    forceTokens: new Set(options.forceTokens),
    forceReserveDigit: options.forceReserveDigit,
    specialTokens: scorer.specialTokens,
  };
  return chunks.map((chunk, i) => tokensToWords(chunk.tokens, probs[i], wordOptions));
}

/** `drop_consecutive`: a force token repeated with nothing kept in between scores 0. */
function dropConsecutiveForced(scored: ScoredWords, forceTokens: ReadonlySet<string>, threshold: number): number[] {
  const probs = [...scored.probs];
  let keptBetween = false;
  let previous: string | null = null;
  scored.words.forEach((word, i) => {
    if (forceTokens.has(word)) {
      if (keptBetween) keptBetween = false;
      else if (word === previous) probs[i] = 0;
      previous = word;
    } else {
      keptBetween ||= probs[i] > threshold;
    }
  });
  return probs;
}

/** One chunk's kept text (`__compress`'s inner loop). */
function compressChunk(scored: ScoredWords, reduceRate: number, options: Llmlingua2Options, style: WordStyle, count: CountTokens): string {
  if (scored.words.length === 0) return '';
  const forceTokens = new Set(options.forceTokens);
  const probs = options.dropConsecutive ? dropConsecutiveForced(scored, forceTokens, percentile(scored.probs, Math.trunc(100 * reduceRate))) : scored.probs;
  // The threshold weighs each word by its o200k tokens, so `rate` speaks of the tokens billed.
  const tokenProbs: number[] = [];
  scored.words.forEach((word, i) => {
    for (let n = count(word); n > 0; n--) tokenProbs.push(probs[i]);
  });
  if (tokenProbs.length === 0) return '';
  const threshold = percentile(tokenProbs, Math.trunc(100 * reduceRate + 1));
  const kept: string[] = [];
  scored.words.forEach((word, i) => {
    const p = probs[i];
    if (!(p > threshold || (threshold === 1 && p === threshold))) return;
    if (options.dropConsecutive && forceTokens.has(word) && kept.length > 0 && kept[kept.length - 1] === word) return;
    kept.push(word);
  });
  return wordsToText(kept, style);
}

/** Which segments the context-level filter keeps, and the token rate left for the rest. */
function filterContexts(scored: ScoredWords[], chunks: Chunk[], segmentCount: number, originalTokens: number, options: Llmlingua2Options): boolean[] {
  // Unset context-level parameters: (rate + 1) / 2 for a rate, twice the target for a target.
  const contextRate =
    options.targetTokens > 0 ? Math.min((options.targetTokens * 2) / Math.max(originalTokens, 1), 1) : options.rate < 1 ? (options.rate + 1) / 2 : 1;
  const sums = new Array<number>(segmentCount).fill(0);
  const counts = new Array<number>(segmentCount).fill(0);
  chunks.forEach((chunk, i) => {
    for (const p of scored[i].probsNoForce) {
      sums[chunk.segment] += p;
      counts[chunk.segment] += 1;
    }
  });
  const contextProbs = sums.map((sum, i) => (counts[i] > 0 ? sum / counts[i] : 0));
  const threshold = percentile(contextProbs, Math.trunc(100 * (1 - contextRate)));
  return contextProbs.map((p) => p >= threshold);
}

export async function compressLlmlingua2(
  segments: readonly string[],
  options: Llmlingua2Options,
  scorer: TokenScorer,
  count: CountTokens,
): Promise<Llmlingua2Result> {
  const originalTokens = segments.reduce((sum, s) => sum + count(s), 0);
  const chunks = chunkSegments(segments, scorer);
  const scored = await scoreChunks(chunks, scorer, options);
  let rate = options.rate;
  let keepSegment = segments.map(() => true);
  if (options.useContextLevelFilter && segments.length > 1) {
    keepSegment = filterContexts(scored, chunks, segments.length, originalTokens, options);
    const reservedTokens = segments.reduce((sum, s, i) => sum + (keepSegment[i] ? count(s) : 0), 0);
    if (options.targetTokens > 0) rate = Math.min(options.targetTokens / Math.max(reservedTokens, 1), 1);
  } else if (options.targetTokens > 0) {
    rate = Math.min(options.targetTokens / Math.max(originalTokens, 1), 1);
  }
  const reduceRate = Math.max(0, 1 - rate);
  const pieces: string[][] = segments.map(() => []);
  chunks.forEach((chunk, i) => {
    if (!keepSegment[chunk.segment] || reduceRate <= 0) return;
    const text = compressChunk(scored[i], reduceRate, options, scorer.style, count);
    if (text) pieces[chunk.segment].push(text);
  });
  // reduce_rate 0 keeps a kept context's text untouched, as LLMLingua does. It joins a context's
  // chunks with ''; a space keeps the words at chunk edges apart.
  const out = pieces.map((p, i) => (!keepSegment[i] ? '' : reduceRate <= 0 ? segments[i] : p.join(' ')));
  return { segments: out, originalTokens, compressedTokens: out.reduce((sum, s) => sum + count(s), 0) };
}
