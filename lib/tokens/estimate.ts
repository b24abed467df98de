/**
 * A realistic prompt-token estimate (o200k_base plus OpenAI's framing), for tokens-per-minute
 * admission and for usage a provider did not report. Not a bound: budgets use promptTokenBound.
 * Exact up to EXACT_BYTES of text; above, BPE runs on a fixed-size sample and the count is scaled
 * by bytes, so the cost of a 4 MB prompt is that of a 16 KB one plus one linear scan.
 */
import type { Endpoint } from '../plan';
import { forEachJsonString } from './json-bound';
import { estimateTextTokens } from './o200k';
import { type PromptVisitor, walkRequest } from './request-walk';

/** OpenAI's cookbook framing (How_to_count_tokens_with_tiktoken.ipynb): 3 per message, 3 per reply. */
const PER_MESSAGE = 3;
const PER_REQUEST = 3;
/** func_init + prop_init per tool, func_end once (same cookbook, num_tokens_for_tools). */
const PER_TOOL_DEFINITION = 10;
const TOOL_PROMPT = 12;
const PER_TOOL_CALL = 3;
/** A 1024×1024 high-detail image on gpt-4o: 85 + 4 × 170 (OpenAI's images-vision guide). */
const PER_IMAGE = 765;

const EXACT_BYTES = 16 * 1024;
const NON_ASCII = /[^\x00-\x7f]/;
const SAMPLE_WINDOWS = 16;
const WINDOW_CHARS = 1024;

/** `endpoint` when the caller knows it; else read from the body's shape (messages, input, contents). */
export function estimatePromptTokens(body: Record<string, unknown>, known?: Endpoint): number {
  const endpoint: Endpoint =
    known ??
    (body.messages !== undefined
      ? 'chat.completions'
      : body.input !== undefined
        ? 'embeddings'
        : body.contents !== undefined
          ? 'generateContent'
          : 'chat.completions');
  const texts: string[] = [];
  let bytes = 0;
  let tokens = PER_REQUEST;
  const collect = (text: string): void => {
    if (text.length === 0) return;
    texts.push(text);
    bytes += NON_ASCII.test(text) ? Buffer.byteLength(text, 'utf8') : text.length;
  };
  const visitor: PromptVisitor = {
    text: collect,
    jsonText: collect,
    // About one token of punctuation per JSON value, besides its strings.
    jsonValue: (value) => (tokens += forEachJsonString(value, collect)),
    tokenIds: (count) => (tokens += count),
    message: () => (tokens += PER_MESSAGE),
    image: () => (tokens += PER_IMAGE),
    unbounded: () => undefined,
    toolDefinition: () => (tokens += PER_TOOL_DEFINITION),
    toolCall: () => (tokens += PER_TOOL_CALL),
    toolResult: () => undefined,
    embeddingInput: () => undefined,
    usesTools: () => (tokens += TOOL_PROMPT),
  };
  walkRequest(body, endpoint, visitor);
  if (bytes <= EXACT_BYTES) return texts.reduce((sum, text) => sum + estimateTextTokens(text), tokens);
  return tokens + Math.ceil(sampledTokensPerByte(texts) * bytes);
}

/** Tokens per UTF-8 byte over SAMPLE_WINDOWS windows spread evenly across all the text. */
function sampledTokensPerByte(texts: string[]): number {
  const starts: number[] = [];
  let chars = 0;
  for (const text of texts) {
    starts.push(chars);
    chars += text.length;
  }
  let sampledTokens = 0;
  let sampledBytes = 0;
  for (let window = 0; window < SAMPLE_WINDOWS; window++) {
    const at = Math.floor(((window + 0.5) * chars) / SAMPLE_WINDOWS);
    const index = lastAtOrBefore(starts, at);
    const text = texts[index];
    const from = Math.max(0, Math.min(at - starts[index], text.length - WINDOW_CHARS));
    const sample = text.slice(from, from + WINDOW_CHARS);
    sampledTokens += estimateTextTokens(sample);
    sampledBytes += Buffer.byteLength(sample, 'utf8');
  }
  return sampledBytes === 0 ? 0 : sampledTokens / sampledBytes;
}

/** Index of the last element ≤ value in an ascending array whose first element is 0. */
function lastAtOrBefore(sorted: number[], value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (sorted[mid] <= value) low = mid;
    else high = mid - 1;
  }
  return low;
}
