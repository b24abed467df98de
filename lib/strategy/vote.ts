/**
 * Self-consistency's vote and best-of-n's scoring rule, as pure functions.
 *
 * The final answer of a sample is, in order: the last line starting with `Answer:` (its rest),
 * else the last \boxed{...}, else the last number; normalised (trimmed, lower case, inner spaces
 * collapsed, a trailing period and thousands separators dropped). A sample with none of these
 * votes with its whole text, normalised. The most frequent answer wins; a tie goes to the answer
 * whose first sample came first. Linear in the samples' length.
 */
const MAX_SCANNED_CHARS = 100_000;

export function extractFinalAnswer(text: string): string {
  const scanned = text.length > MAX_SCANNED_CHARS ? text.slice(-MAX_SCANNED_CHARS) : text;
  return normalise(answerLine(scanned) ?? boxed(scanned) ?? lastNumber(scanned) ?? scanned);
}

function answerLine(text: string): string | null {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim().replace(/^[*_#\s]+/, '');
    if (/^answer\s*[*_]*\s*[:：]/i.test(line)) return line.replace(/^answer\s*[*_]*\s*[:：][*_\s]*/i, '').replace(/[*_]+$/, '');
  }
  return null;
}

function boxed(text: string): string | null {
  const start = text.lastIndexOf('\\boxed{');
  if (start < 0) return null;
  let depth = 0;
  for (let i = start + 7; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') {
      if (depth === 0) return text.slice(start + 7, i);
      depth--;
    }
  }
  return null;
}

function lastNumber(text: string): string | null {
  const numbers = text.match(/-?\d[\d,]*(?:\.\d+)?/g);
  return numbers ? numbers[numbers.length - 1] : null;
}

function normalise(answer: string): string {
  let out = answer.trim().toLowerCase().replace(/\s+/g, ' ');
  if (/^-?\d[\d,]*(\.\d+)?\.?$/.test(out)) out = out.replace(/,/g, '');
  return out.replace(/\.$/, '');
}

/** The index of the winning sample: most votes for its extracted answer; ties to the earliest. */
export function majorityIndex(texts: string[]): number {
  const votes = new Map<string, { count: number; first: number }>();
  texts.forEach((text, index) => {
    const key = extractFinalAnswer(text);
    const entry = votes.get(key);
    if (entry) entry.count++;
    else votes.set(key, { count: 1, first: index });
  });
  let best: { count: number; first: number } | null = null;
  for (const entry of votes.values()) if (!best || entry.count > best.count || (entry.count === best.count && entry.first < best.first)) best = entry;
  return best ? best.first : -1;
}

/** Best-of-n without a judge: the longest answer that is not a refusal; ties (and all refusals) to the earliest. */
export function longestAcceptable(texts: string[], refused: boolean[]): number {
  let best = -1;
  texts.forEach((text, index) => {
    if (refused[index]) return;
    if (best < 0 || text.length > texts[best].length) best = index;
  });
  return best < 0 ? (texts.length > 0 ? 0 : -1) : best;
}
