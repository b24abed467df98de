import type { Finding } from '../types';

/** The shipped defaults, chosen on the development set (docs/guardrails.md). */
export const ENTROPY_DEFAULTS = { minLength: 24, minBitsPerChar: 4.0 } as const;

export interface EntropyOptions {
  minLength?: number;
  minBitsPerChar?: number;
}

const TOKEN_CHAR = /[A-Za-z0-9+/_-]/;
/** Longer runs are scored on their first part only: a secret is rarely longer, and the cost stays flat. */
const MAX_SCORED = 256;

/** Shannon entropy of `text` in bits per character. */
export function shannonBits(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * What is random-looking but not a secret: hex (git SHAs, digests), UUIDs, words joined by
 * separators (identifiers, paths, slugs), digits only, and tokens without both a digit and a letter
 * of each case (base64 secrets nearly always have all three).
 */
function looksBenign(token: string): boolean {
  if (/^sha(?:256|384|512)-/.test(token)) return true; // Subresource Integrity hashes (package-lock.json)
  if (/^[0-9a-fA-F]+$/.test(token) || /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(token)) return true;
  if (!/[0-9]/.test(token) || !/[a-z]/.test(token) || !/[A-Z]/.test(token)) return true;
  // camelCase / snake_case / kebab-case identifiers and paths: mostly letters in word-like pieces.
  const pieces = token.split(/[/_=+-]/).filter((p) => p.length > 0);
  return pieces.length > 2 && pieces.every((p) => p.length <= 12);
}

/** Runs of token characters long and random enough to be a credential no format rule knows. */
export function findHighEntropyTokens(text: string, options: EntropyOptions = {}): Finding[] {
  const minLength = options.minLength ?? ENTROPY_DEFAULTS.minLength;
  const minBits = options.minBitsPerChar ?? ENTROPY_DEFAULTS.minBitsPerChar;
  const found: Finding[] = [];
  let i = 0;
  while (i < text.length) {
    if (!TOKEN_CHAR.test(text[i]!)) {
      i++;
      continue;
    }
    let end = i;
    while (end < text.length && TOKEN_CHAR.test(text[end]!)) end++;
    for (let pad = 0; pad < 2 && text[end] === '='; pad++) end++; // base64 padding, at most two
    // Leading '/', '-' or '_' are punctuation in prose, not part of a token.
    const token = text.slice(i, end).replace(/^[/_-]+/, '');
    const start = end - token.length;
    if (token.length >= minLength && !looksBenign(token) && shannonBits(token.slice(0, MAX_SCORED)) >= minBits) {
      found.push({ detector: 'secrets', type: 'high_entropy', start, end });
    }
    i = end;
  }
  return found;
}
