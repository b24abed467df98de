/**
 * Entities guard: what a query names must be named by the other. Two kinds:
 * - known names (entity-lexicon.ts: languages, tools, platforms, formats), compared as canonical
 *   sets, so "postgresql" = "postgres" but python ≠ ruby;
 * - names by shape: `backticked` code, camelCase, snake_case, dotted.paths and file names, --flags,
 *   .extensions, letter-led words with digits (ipv6, sha256), ACRONYMS and Capitalised words
 *   inside a sentence. Each must occur in the other query (words or shapes, any case), which lets
 *   "Redis" match "redis" without a lexicon entry.
 */
import { canonicalName } from './entity-lexicon';
import { words } from './text';

const BACKTICKED = /`([^`\n]{1,120})`/g;
const SYMBOL_NAMES = /(?:^|[^\p{L}\p{N}_])(c\+\+|c#|f#|\.net)/giu;
/** Runs of non-space, non-bracket characters: each is classified whole, with anchored patterns (no quadratic rescans). */
const CHUNKS = /[^\s,;()[\]{}"'?!<>=|]+/g;
const SHAPES = [
  /^[A-Za-z_$][\w$]*(?:\.[\w$]+)+$/, // dotted.path, file.ext
  /^[A-Za-z0-9]*_\w*$/, // snake_case
  /^[a-z][a-z0-9]*[A-Z]/, // camelCase
  /^[A-Z][a-z0-9]+[A-Z]/, // PascalCase with an inner capital
  /^--?[a-z][a-z0-9-]*$/, // --flag
  /^\*?\.[a-z][a-z0-9]{0,7}$/, // .ext, *.ext
  /^(?:~|\.{1,2})?\/[\w.-]/, // /abs, ./rel, ~/home paths
  /^[\w.-]+\/[\w.-]*\.[a-z0-9]+$/, // dir/file.ext
];
const WORDS_WITH_CASE = /[\p{L}\p{N}]+/gu;

interface Names {
  known: Set<string>;
  shaped: Set<string>;
  /** Everything the other query's names may be found among (lower-case words and shapes). */
  surface: Set<string>;
}

/** Capitalised words not at a sentence's start, and acronyms anywhere, unless the query is in Title Case. */
function capitalised(text: string, into: Set<string>): void {
  const matches = [...text.matchAll(WORDS_WITH_CASE)];
  const capitals = matches.filter(([word]) => /^\p{Lu}/u.test(word)).length;
  const titleCase = matches.length >= 4 && capitals * 2 > matches.length;
  for (const match of matches) {
    const word = match[0];
    if (word.length < 2 || !/^\p{Lu}/u.test(word)) continue;
    // APIs, URLs: an acronym's plural names the same thing.
    const acronym = /^[\p{Lu}\p{N}]+s?$/u.test(word) && /^\p{Lu}{2}/u.test(word);
    if (acronym) {
      into.add(word.replace(/s$/, '').toLowerCase());
      continue;
    }
    if (titleCase) continue;
    const before = text.slice(Math.max(0, (match.index ?? 0) - 3), match.index).trimEnd();
    const startsSentence = before === '' || /[.!?:\n"'(]$/.test(before);
    if (!startsSentence) into.add(word.toLowerCase());
  }
}

/** "Node.js" and "nodejs" are one name, not "node" plus "js" (JavaScript). */
function joinDotJs(text: string): string {
  return text.replace(/\b(node|next|nuxt|vue)\.js\b/gi, '$1js');
}

/** Lower-case words, possessives bare: "OpenAI's SDK" names openai. */
function bareWords(text: string): string[] {
  return words(joinDotJs(text)).map((word) => (word.endsWith("'s") ? word.slice(0, -2) : word));
}

/** The words of a query with each name as its one canonical word: "Node.js" → node, "Mac" → macos. */
export function nameWords(text: string): string[] {
  return bareWords(text).map((word) => canonicalName(word) ?? word);
}

export function namesOf(query: string): Names {
  const text = joinDotJs(query);
  const lower = text.toLowerCase();
  const wordList = bareWords(query);
  const known = new Set<string>();
  const shaped = new Set<string>();
  for (const word of wordList) {
    const name = canonicalName(word);
    if (name) known.add(name);
    else if (/^\p{L}/u.test(word) && /\p{N}/u.test(word)) shaped.add(word);
  }
  for (const match of lower.matchAll(SYMBOL_NAMES)) known.add(canonicalName(match[1]) ?? match[1]);
  for (const match of text.matchAll(BACKTICKED)) shaped.add(match[1].trim().toLowerCase());
  for (const [raw] of text.matchAll(CHUNKS)) {
    const shape = raw.replace(/[.:]+$/, '');
    if (!SHAPES.some((pattern) => pattern.test(shape))) continue;
    const name = canonicalName(shape.toLowerCase());
    if (name) known.add(name);
    else if (/[\p{L}]/u.test(shape) && !/^_+$/.test(shape)) shaped.add(shape.toLowerCase());
  }
  capitalised(text, shaped);
  for (const name of shaped) {
    const canonical = canonicalName(name);
    if (canonical) {
      shaped.delete(name);
      known.add(canonical);
    }
  }
  return { known, shaped, surface: new Set([...wordList, ...shaped, ...known]) };
}

function missing(from: Names, other: Names): string | undefined {
  // A known name also counts as present when the other query has it as a plain word ("Node" vs "Node.js").
  for (const name of from.known) if (!other.known.has(name) && !other.surface.has(name)) return name;
  for (const name of from.shaped) if (!other.surface.has(name)) return name;
  return undefined;
}

/** Null when both queries name the same things, else the first name only one of them has. */
export function entitiesGuard(query: string, candidate: string): string | null {
  const a = namesOf(query);
  const b = namesOf(candidate);
  const onlyInQuery = missing(a, b);
  if (onlyInQuery !== undefined) return `entity only in the query: ${onlyInQuery}`;
  const onlyInCandidate = missing(b, a);
  if (onlyInCandidate !== undefined) return `entity only in the cached query: ${onlyInCandidate}`;
  return null;
}
