/**
 * Direction guard: an ordered relation must not be reversed. A relation is a marker with the
 * content words just before it (left) and just after it (right): "convert a python dict to json"
 * is to(python dict → json). "after", "<" and a trailing "from" read right to left, so "B after A"
 * is before(A → B) and paraphrases "A before B". The cached query reverses the query when, for two
 * relations of the same kind, a word of each side moved to the other side only ("int to string"
 * vs "string to int"; the shared verb "convert" on the left of both does not hide the swap).
 */
import { STOPWORDS } from './text';

type Kind = 'to' | 'before' | 'than' | 'instead';

/** Marker tokens: their kind and whether they read right to left. */
const MARKERS: ReadonlyMap<string, { kind: Kind; reversed: boolean }> = new Map(
  Object.entries({
    to: { kind: 'to', reversed: false },
    into: { kind: 'to', reversed: false },
    '->': { kind: 'to', reversed: false },
    '=>': { kind: 'to', reversed: false },
    '\u2192': { kind: 'to', reversed: false },
    before: { kind: 'before', reversed: false },
    // biome-ignore lint/suspicious/noThenProperty: a word list, never awaited.
    then: { kind: 'before', reversed: false },
    after: { kind: 'before', reversed: true },
    than: { kind: 'than', reversed: false },
    '>': { kind: 'than', reversed: false },
    '<': { kind: 'than', reversed: true },
    instead: { kind: 'instead', reversed: false },
    over: { kind: 'instead', reversed: false },
  }),
);

/** How many content words on each side of a marker make its ends. */
const SPAN = 3;
/** Relations looked at per query: a question has a few; the rest of a hostile input is ignored. */
const MAX_RELATIONS = 32;

interface Relation {
  kind: Kind;
  left: Set<string>;
  right: Set<string>;
}

const TOKENS = /->|=>|[<>\u2192]|[\p{L}\p{N}_#+]+(?:[.-][\p{L}\p{N}_#+]+)*/gu;

function tokens(text: string): string[] {
  return text.toLowerCase().match(TOKENS) ?? [];
}

/** Up to SPAN content words walking from `start` by `step`, stopping at another marker. */
function span(list: string[], start: number, step: 1 | -1, symbolic: boolean): Set<string> {
  const found = new Set<string>();
  // Around a symbol (a > b) the operand is the one token next to it, whatever it is ("a" is a name there).
  if (symbolic) {
    const token = list[start];
    if (token !== undefined && !MARKERS.has(token)) found.add(token);
    return found;
  }
  for (let index = start; index >= 0 && index < list.length && found.size < SPAN; index += step) {
    const token = list[index];
    if (MARKERS.has(token) || token === 'from') break;
    if (!STOPWORDS.has(token)) found.add(token);
  }
  return found;
}

export function relationsOf(text: string): Relation[] {
  const list = tokens(text);
  const relations: Relation[] = [];
  for (let index = 0; index < list.length && relations.length < MAX_RELATIONS; index++) {
    let marker = MARKERS.get(list[index]);
    let right = index + 1;
    // In "instead of" the marker is the pair.
    if (list[index] === 'instead' && list[index + 1] === 'of') right++;
    // "Y from X" with no "to" after it reads X → Y.
    if (!marker && list[index] === 'from' && !list.slice(index + 1, index + 8).some((token) => MARKERS.get(token)?.kind === 'to'))
      marker = { kind: 'to', reversed: true };
    if (!marker) continue;
    const symbolic = !/^[a-z]/.test(list[index]);
    const before = span(list, index - 1, -1, symbolic);
    const after = span(list, right, 1, symbolic);
    if (before.size === 0 || after.size === 0) continue;
    relations.push(marker.reversed ? { kind: marker.kind, left: after, right: before } : { kind: marker.kind, left: before, right: after });
  }
  return relations;
}

/** A word that sits on one side in `a` and only on the other side in `b`. */
function switched(from: Set<string>, to: Set<string>, stays: Set<string>): boolean {
  for (const word of from) if (to.has(word) && !stays.has(word)) return true;
  return false;
}

function reversed(a: Relation, b: Relation): boolean {
  return a.kind === b.kind && switched(a.left, b.right, b.left) && switched(a.right, b.left, b.right);
}

/** Null unless a relation of the query is reversed in the cached query. */
export function directionGuard(query: string, candidate: string): string | null {
  const a = relationsOf(query);
  const b = relationsOf(candidate);
  for (const x of a)
    for (const y of b)
      if (reversed(x, y))
        return `reversed ${x.kind}: ${[...x.left].join(' ')} → ${[...x.right].join(' ')} vs ${[...y.left].join(' ')} → ${[...y.right].join(' ')}`;
  return null;
}
