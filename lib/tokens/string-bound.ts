/**
 * Upper bounds, in tokens, on one string of a prompt, for any tokenizer whose every token covers
 * at least one byte of its (possibly normalised) input: byte-level BPE (o200k, cl100k, Claude,
 * Llama 3, Qwen, DeepSeek, Tekken) and SentencePiece with byte fallback (Gemini, Gemma, Llama 2),
 * where a piece is a known symbol (≥ 1 byte) or one byte-fallback token per byte. One pass over
 * the UTF-16 code units, no allocation: linear in the string, about 1 ns per ASCII character.
 */
import { fillEntry, packedWeights } from './unicode-weights';

/**
 * A string that changes under normalisation can also undo the composition of the last character
 * before it (é followed by U+0323 comes out as ẹ + U+0301, 5 bytes from 4): room for the largest
 * growth of a stable character when decomposed, 8 bytes (U+16D6A, Kirat Rai, Unicode 16; a Hangul
 * LVT syllable grows by 6). Checked over all code points in test/lib/tokens/unicode.test.ts.
 */
export const NORMALIZATION_BOUNDARY_SLACK = 8;

/**
 * Tokens a renderer may add around each value of a JSON structure when it pretty-prints it or
 * turns it into another syntax: OpenAI's cookbook counts 3 tokens per property and per enum item
 * when it renders function parameters (prop_key = 3, enum_item = 3 in "How to count tokens with
 * tiktoken", openai-cookbook examples/How_to_count_tokens_with_tiktoken.ipynb); a newline and
 * an indentation run are 2 more tokens at most in every tokenizer here (each has whitespace-run
 * tokens). Empirical for renderers we cannot see; the property tests check pretty-printed JSON.
 */
export const JSON_VALUE_SLACK = 3;

/**
 * The longest JSON rendering of one IEEE double ("-1.2345678901234567e-308"). A JSON text the
 * relay parses and serialises again (tool-call arguments sent to Anthropic or Gemini) can turn
 * "1e20" (4 bytes) into "100000000000000000000" (21): each exponent may grow by this much.
 */
const NUMBER_MAX_LENGTH = 24;

const NON_ASCII = /[^\x00-\x7f]/;

/** Results of the last scan() (module state, so the hot path allocates nothing). */
let scannedRaw = 0;
let scannedNormalized = 0;
let scannedUnstable = false;
let scannedEscaped = 0;

/**
 * One pass over a string: its UTF-8 bytes, the sum of per-character normalised weights, whether
 * normalisation can change it, and the length of its JSON escape with every non-ASCII UTF-16
 * unit as \uXXXX (as Python's json.dumps writes by default).
 */
function scan(text: string): void {
  let raw = 0;
  let normalized = 0;
  let unstable = 0;
  let escaped = 0;
  const weights = packedWeights;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) {
      raw++;
      normalized++;
      escaped += unit < 0x20 || unit === 0x7f ? 6 : unit === 0x22 || unit === 0x5c ? 2 : 1;
      continue;
    }
    escaped += 6;
    let codePoint = unit;
    if (unit >= 0xd800 && unit <= 0xdfff) {
      const low = i + 1 < length ? text.charCodeAt(i + 1) : 0;
      if (unit <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
        codePoint = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
        escaped += 6;
        i++;
      } else {
        // A lone surrogate: sent as U+FFFD (3 bytes) by every UTF-8 encoder, never normalised.
        raw += 3;
        normalized += 3;
        continue;
      }
    }
    raw += codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    let packed = weights[codePoint];
    if (packed === 0) packed = fillEntry(codePoint);
    normalized += (packed - 1) >> 1;
    unstable |= (packed - 1) & 1;
  }
  scannedRaw = raw;
  scannedNormalized = normalized;
  scannedUnstable = unstable === 1;
  scannedEscaped = escaped;
}

/** textBound of the last scan. */
function scannedTextBound(): number {
  return scannedUnstable ? scannedNormalized + NORMALIZATION_BOUNDARY_SLACK : scannedRaw;
}

/**
 * Bound on a plain text: its UTF-8 bytes when normalisation cannot change it (then NFC and NFKC
 * are the text itself), else the sum of per-character normalised weights plus the boundary slack.
 */
export function textBound(text: string): number {
  if (!NON_ASCII.test(text)) return text.length;
  scan(text);
  return scannedTextBound();
}

/**
 * Bound on a string rendered inside JSON, quotes included: the larger of its escaped form and its
 * normalised text (a tokenizer normalises after rendering; escapes are ASCII and stay as they are).
 */
export function jsonStringBound(text: string): number {
  scan(text);
  return 2 + Math.max(scannedEscaped, scannedTextBound());
}

/**
 * Bound on a string that holds JSON the relay or the provider may parse and render again (tool
 * call arguments, tool results): as a JSON string, plus room for each value to be re-rendered
 * (one per '{', '[' or ',', which over-counts) and for each exponent number to be written out.
 */
export function jsonTextBound(text: string): number {
  let values = 1;
  let exponents = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0x7b || unit === 0x5b || unit === 0x2c) values++;
    else if ((unit === 0x65 || unit === 0x45) && i > 0 && isDigit(text.charCodeAt(i - 1))) exponents++;
  }
  return jsonStringBound(text) + values * JSON_VALUE_SLACK + exponents * NUMBER_MAX_LENGTH;
}

/** JSON length of a number as JSON.stringify writes it (the relay re-serialises with it). */
export function numberBound(value: number): number {
  // Small integers first: the common case, and cheap to test.
  if (value !== (value | 0) && !Number.isSafeInteger(value)) return NUMBER_MAX_LENGTH;
  const magnitude = value < 0 ? -value : value;
  let digits = value < 0 ? 2 : 1;
  for (let limit = 10; magnitude >= limit; limit *= 10) digits++;
  return digits;
}

function isDigit(unit: number): boolean {
  return unit >= 0x30 && unit <= 0x39;
}
