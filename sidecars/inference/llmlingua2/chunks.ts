/**
 * Splits a text's tokens into model-sized chunks the way LLMLingua-2's `__chunk_context` does:
 * at most max_seq_len - 2 tokens (room for [CLS] and [SEP]), cut after the last chunk-end token
 * ('.', '\n') inside the window, or at the window's end when there is none.
 */
export const CHUNK_END_TOKENS: readonly string[] = ['.', '\n'];

export function chunkTokenRanges(tokens: readonly string[], maxSeqLen: number, chunkEnd: ReadonlySet<string>): [number, number][] {
  const maxLen = maxSeqLen - 2;
  const ranges: [number, number][] = [];
  let start = 0;
  while (start < tokens.length) {
    if (start + maxLen >= tokens.length) {
      ranges.push([start, tokens.length]);
      break;
    }
    // LLMLingua's window may reach max_len + 1 tokens and be truncated by its dataset; ours stops
    // at max_len so every token of a chunk is scored.
    let end = start + maxLen - 1;
    for (let j = end; j > start; j--) {
      if (chunkEnd.has(tokens[j])) {
        end = j;
        break;
      }
    }
    ranges.push([start, end + 1]);
    start = end + 1;
  }
  return ranges;
}
