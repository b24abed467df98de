/**
 * o200k_base token counts in linear time. BPE is quadratic in the length of a pretokenizer piece
 * (200,000 spaces and an "x" took 14.6 s in gpt-tokenizer), so BPE only ever sees short pieces:
 * MAX_BPE_PIECE code units at most. Special-token strings such as <|endoftext|> are plain text
 * here: the pretokenizer splits them into "<|", "endoftext", "|>", and gpt-tokenizer is told that
 * none is special, so nothing throws.
 */
import { countTokens, setMergeCacheSize } from 'gpt-tokenizer';

/**
 * o200k_base's pretokenizer pattern, as gpt-tokenizer 4.0.0 (src/encodingParams/constants.ts) and
 * tiktoken define it; test/lib/tokens/o200k.test.ts checks they agree. No alternative backtracks
 * further than the run it then consumes, so matching is linear (timed there on adversarial runs).
 */
const CONTRACTION = `(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?`;
export const O200K_PIECE_PATTERN =
  String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+${CONTRACTION}` +
  String.raw`|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*${CONTRACTION}` +
  String.raw`|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

/** Longest piece given to BPE: its cost grows with the square of this, and real words are shorter. */
export const MAX_BPE_PIECE = 32;
/**
 * Piece counts kept, in two generations of PIECE_CACHE_SIZE (keys ≤ MAX_BPE_PIECE code units, so a
 * few MB at most): when the young one is full it becomes the old one and the previous old one is
 * dropped. O(1) per lookup; deleting Map entries one by one instead degrades V8's Map.
 */
const PIECE_CACHE_SIZE = 50_000;
const NO_SPECIAL_TOKENS = { disallowedSpecial: new Set<string>() };

// gpt-tokenizer's own merge cache is keyed by piece with no length limit; ours replaces it.
setMergeCacheSize(0);
let youngCounts = new Map<string, number>();
let oldCounts = new Map<string, number>();

/** Exact o200k_base count of one short piece. */
function bpeCount(piece: string): number {
  const young = youngCounts.get(piece);
  if (young !== undefined) return young;
  const count = oldCounts.get(piece) ?? countTokens(piece, NO_SPECIAL_TOKENS);
  if (youngCounts.size >= PIECE_CACHE_SIZE) {
    oldCounts = youngCounts;
    youngCounts = new Map();
  }
  // A regex match is a slice that keeps its whole source text alive; the key must be a copy.
  youngCounts.set((' ' + piece).slice(1), count);
  return count;
}

/** Calls `visit` with each o200k pretokenizer piece of `text`, in order. */
export function forEachPiece(text: string, visit: (piece: string) => void): void {
  const pieces = new RegExp(O200K_PIECE_PATTERN, 'gu');
  for (let match = pieces.exec(text); match !== null; match = pieces.exec(text)) visit(match[0]);
}

/**
 * Tokens of generated text (o200k_base), for billing what was delivered when a stream is cut:
 * exact for every piece up to MAX_BPE_PIECE code units; a longer piece is counted as its UTF-8
 * byte length, an upper bound (BPE starts from one token per byte and only merges).
 */
export function countTextTokens(text: string): number {
  if (!text) return 0;
  let tokens = 0;
  forEachPiece(text, (piece) => {
    tokens += piece.length <= MAX_BPE_PIECE ? bpeCount(piece) : Buffer.byteLength(piece, 'utf8');
  });
  return tokens;
}

/**
 * A realistic o200k_base count: like countTextTokens, but a long piece is cut into MAX_BPE_PIECE
 * chunks, each counted exactly (within a token or two per chunk of the true count, linear time).
 */
export function estimateTextTokens(text: string): number {
  if (!text) return 0;
  let tokens = 0;
  forEachPiece(text, (piece) => {
    if (piece.length <= MAX_BPE_PIECE) {
      tokens += bpeCount(piece);
      return;
    }
    for (let start = 0; start < piece.length; ) {
      let end = Math.min(start + MAX_BPE_PIECE, piece.length);
      // Never split a surrogate pair.
      if (end < piece.length && isHighSurrogate(piece.charCodeAt(end - 1))) end++;
      tokens += bpeCount(piece.slice(start, end));
      start = end;
    }
  });
  return tokens;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
