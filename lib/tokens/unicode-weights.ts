/**
 * Per-code-point facts for bounding the UTF-8 size of text after the Unicode normalisation a
 * tokenizer may apply. Tokenizers normalise before they split: the legacy Claude tokenizer NFKC
 * (its tokenizer.json has `"normalizer": {"type": "NFKC"}`), Qwen2/3 NFC; U+FDFA is 3 bytes and
 * 33 after NFKC. A byte-level tokenizer emits at most one token per byte of what it tokenizes, so
 * the bound needs the largest byte count any normalisation can produce.
 *
 * weight(c) = max(UTF-8 bytes of c, of NFD(c), of NFKD(c)). For any string s and N in
 * {NFC, NFKC, NFD, NFKD}: bytes(N(s)) ≤ Σ weight(c). Why: NFD(s) and NFKD(s) are the per-character
 * decompositions concatenated and reordered (a permutation), and NFC/NFKC compose that sequence;
 * every composite replaces exactly the characters of its own full decomposition and is never
 * longer in UTF-8 than them (checked for every code point in test/lib/tokens/unicode.test.ts).
 *
 * unstable(c): c may change, or change its neighbours, under NFC or NFKC: a mark (every
 * character with a non-zero combining class is one), a starter that composes with the character
 * before it (conjoining Hangul jamo, U+16D67), or NFC(c) ≠ c or NFKC(c) ≠ c. A string without unstable characters is its
 * own NFC and NFKC (the quick-check rule of UAX #15 §9; the test checks that every character that
 * can be the second half of a composition is unstable), so its raw byte count is exact for them.
 *
 * The table is filled lazily (one normalize() per new code point, ~160 ns; all of Unicode once is
 * ~175 ms per process) and is a fixed 1.1 MB: memory cannot grow with traffic.
 */

/** 0 = not computed yet; otherwise 1 + (weight << 1) + (unstable ? 1 : 0). weight ≤ 33 fits a byte. */
export const packedWeights = new Uint8Array(0x110000);
const MARK = /\p{M}/u;

export function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

function utf8LengthOf(text: string): number {
  let bytes = 0;
  for (const char of text) bytes += utf8Length(char.codePointAt(0)!);
  return bytes;
}

/**
 * Starters (not marks) that compose with the character before them: Hangul conjoining jamo and
 * U+16D67 (Kirat Rai, Unicode 16, doubled into U+16D68..U+16D6A). The test enumerates every
 * composition with the runtime's ICU and fails when a newer Unicode adds one.
 */
function composesWithPrevious(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x11ff) ||
    (codePoint >= 0xa960 && codePoint <= 0xa97f) ||
    (codePoint >= 0xd7b0 && codePoint <= 0xd7ff) ||
    codePoint === 0x16d67
  );
}

function compute(codePoint: number): number {
  const char = String.fromCodePoint(codePoint);
  const weight = Math.max(utf8Length(codePoint), utf8LengthOf(char.normalize('NFD')), utf8LengthOf(char.normalize('NFKD')));
  const unstable = MARK.test(char) || composesWithPrevious(codePoint) || char.normalize('NFC') !== char || char.normalize('NFKC') !== char;
  return 1 + (weight << 1) + (unstable ? 1 : 0);
}

/**
 * The packed entry of a code point, filled on first use. Callers on hot paths read
 * `packedWeights[codePoint]` themselves and call this only when it is 0.
 */
export function fillEntry(codePoint: number): number {
  const value = compute(codePoint);
  packedWeights[codePoint] = value;
  return value;
}

function entry(codePoint: number): number {
  const value = packedWeights[codePoint];
  return value === 0 ? fillEntry(codePoint) : value;
}

/** UTF-8 bytes of the largest normalisation (NFC, NFKC, NFD, NFKD) of this one code point. */
export function normalizedWeight(codePoint: number): number {
  return (entry(codePoint) - 1) >> 1;
}

/** Whether this code point can change, or make its neighbours change, under NFC or NFKC. */
export function isUnstable(codePoint: number): boolean {
  return ((entry(codePoint) - 1) & 1) === 1;
}
