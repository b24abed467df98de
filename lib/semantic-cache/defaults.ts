/** The semantic cache's tuned defaults. */

/**
 * Cosine similarity (Universal Sentence Encoder Lite, last user message) from which a candidate is
 * a hit, before the guards. Measured by test/bench/cache-precision.ts on the 246-pair development
 * set (test/bench/cache-pairs.ts), guards on: at 0.87 precision 98.3% (58 of 59 hits are
 * paraphrases), recall 64.4% of paraphrases, no negation, antonym, number, entity or direction trap
 * hit, 1 of 28 related-but-different traps hit. 0.86–0.89 all meet precision ≥ 0.98 at recall ≥ 0.5;
 * 0.87 is the middle of that run. Without guards no threshold reaches 38% precision. On 50 held-out
 * pairs (cache-pairs-heldout.ts, never tuned on) 0.87 with guards gives precision 100%, recall 60%.
 * test/lib/semantic-cache/guards/precision.test.ts fails if a change breaks the goal.
 */
export const SEMANTIC_THRESHOLD_DEFAULT = 0.87;

/** The longest an entry may live, seconds: 30 days (migration 006 holds the same bound for teams). */
export const MAX_TTL_SECONDS = 30 * 86_400;
