// The pure pieces: tokenizer, directive parsing, key masking, vectors.

import { extractDirective, mockDirective } from './directive';
import { maskApiKey } from './openai';
import { formatDuration } from './ratelimit';
import { countTokens, generatePieces, splitIntoPieces, tokenize } from './tokenizer';
import { cosine, embedText, toBase64 } from './vectors';

test('tokenizer: words and single punctuation, whitespace free', () => {
  expect(tokenize('Hello, world!  héllo_2 x')).toEqual(['Hello', ',', 'world', '!', 'héllo_2', 'x']);
  expect(countTokens('   ')).toBe(0);
  const text = '  Hi there,\nfriend. ';
  expect(splitIntoPieces(text).join('')).toBe(text);
  expect(splitIntoPieces(text)).toHaveLength(countTokens(text));
});

test('generated answers have exactly the asked token count and repeat per seed', () => {
  for (const n of [0, 1, 2, 17, 200]) {
    const pieces = generatePieces(n, 'seed');
    expect(pieces).toHaveLength(n);
    expect(countTokens(pieces.join(''))).toBe(n);
  }
  expect(generatePieces(20, 'a')).toEqual(generatePieces(20, 'a'));
  expect(generatePieces(20, 'a')).not.toEqual(generatePieces(20, 'b'));
});

test('directive round trip, stripping, and errors', () => {
  const script = { content: 'has ]] and } inside', tokens: 3 };
  const scan = extractDirective(`before ${mockDirective(script)} after`);
  expect(scan.script).toEqual(script);
  expect(scan.text).toBe('before  after');
  expect(extractDirective('no directive here')).toEqual({ text: 'no directive here' });
  expect(extractDirective('[[mock {"tokens": -1}]]').error).toMatch(/invalid value/);
  expect(extractDirective('[[mock {"tokens": 1}').error).toMatch(/unterminated/);
});

test('API key masking like OpenAI', () => {
  // A 51-character legacy key shows as in OpenAI's own 401s: sk-4sJHr + 39 stars + w8ZP.
  expect(maskApiKey(`sk-4sJHr${'A'.repeat(39)}w8ZP`)).toBe(`sk-4sJHr${'*'.repeat(39)}w8ZP`);
  expect(maskApiKey('undefined')).toBe('undefined');
});

test('vectors: unit length, deterministic, similar for shared words', () => {
  const a = embedText('reset my password please', 64);
  expect(Math.hypot(...a)).toBeCloseTo(1, 10);
  expect(embedText('reset my password please', 64)).toEqual(a);
  expect(cosine(a, embedText('please reset my password', 64))).toBeCloseTo(1, 10);
  expect(cosine(a, embedText('reset my password now', 64))).toBeGreaterThan(0.6);
  const b64 = Buffer.from(toBase64([1, -0.5]), 'base64');
  expect([b64.readFloatLE(0), b64.readFloatLE(4)]).toEqual([1, -0.5]);
});

test('rate-limit durations in OpenAI style', () => {
  expect(formatDuration(6)).toBe('6ms');
  expect(formatDuration(1500)).toBe('1.5s');
  expect(formatDuration(90_000)).toBe('1m30s');
});
