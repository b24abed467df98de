/**
 * Near-duplicates discounted, in the spirit of maximal marginal relevance: going down the ranking,
 * a sentence whose words largely repeat a better-ranked one's (the same statement about another
 * release, an earlier draft's figure) loses part of its score, so a differently worded sentence —
 * often the answer — is not crowded out of the budget. Each sentence is compared with at most
 * COMPARED better-ranked ones, so the work stays linear.
 */

const COMPARED = 40;
/** At Jaccard similarity 1 a sentence keeps 1 - DISCOUNT of its score. */
const DISCOUNT = 0.5;

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const term of a) if (b.has(term)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Scores with near-duplicates of better-ranked sentences discounted. */
export function discountRedundant(termLists: readonly (readonly string[])[], scores: readonly number[]): number[] {
  const order = scores.map((_, index) => index).sort((a, b) => scores[b] - scores[a] || a - b);
  const termSets = new Map<number, Set<string>>();
  const setOf = (index: number): Set<string> => {
    let set = termSets.get(index);
    if (!set) termSets.set(index, (set = new Set(termLists[index])));
    return set;
  };
  const discounted = [...scores];
  order.forEach((index, rank) => {
    let similarity = 0;
    for (const better of order.slice(Math.max(0, rank - COMPARED), rank)) similarity = Math.max(similarity, jaccard(setOf(index), setOf(better)));
    discounted[index] = scores[index] * (1 - DISCOUNT * similarity);
  });
  return discounted;
}
