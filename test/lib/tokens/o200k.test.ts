/**
 * Our o200k pretokenizer pattern is gpt-tokenizer's (and tiktoken's), and counting piece by piece
 * gives gpt-tokenizer's exact count for ordinary text: only pieces longer than MAX_BPE_PIECE (which
 * natural text does not have) are counted by their bytes instead.
 */
import { countTokens } from 'gpt-tokenizer';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/cjs/encodingParams/constants';
import { countTextTokens, MAX_BPE_PIECE, O200K_PIECE_PATTERN } from '../../../lib/tokens/o200k';

it('uses the pattern gpt-tokenizer 4.0.0 splits o200k_base text with', () => {
  expect(new RegExp(O200K_PIECE_PATTERN, 'gu').source).toBe(O200K_TOKEN_SPLIT_REGEX.source);
});

it.each([
  ['prose', "The gateway routes each request to the model its key may use, and bills what it delivered. Don't worry; it's fine!"],
  ['code', 'export function sum(values: number[]): number {\n  return values.reduce((a, b) => a + b, 0);\n}\n'],
  ['mixed scripts', 'Grüße aus Köln — 数据网关 ✓ naïve café, 42 items at $3.50 each.'],
  ['JSON', '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"max_tokens":64}'],
])('counts %s exactly as gpt-tokenizer does', (_name, text) => {
  expect(countTextTokens(text)).toBe(countTokens(text));
});

it('counts a piece longer than the BPE limit by its bytes, an upper bound', () => {
  const long = 'x'.repeat(MAX_BPE_PIECE * 4);
  expect(countTextTokens(long)).toBe(Buffer.byteLength(long));
  expect(countTextTokens(long)).toBeGreaterThanOrEqual(countTokens(long));
});
