/**
 * The semantic cache's guards: after similarity picks a candidate, each guard may veto it because
 * the two queries differ in a way embeddings miss (numbers, negation, names, direction, opposites,
 * a swapped content word).
 * All are on unless `enabled` names a subset; the first veto wins, cheapest guards first. Inputs
 * are cut to MAX_GUARD_CHARS, so a hostile query costs no more than a long one.
 */
import type { GuardName, GuardVerdict } from '../types';
import { antonymsGuard } from './antonyms';
import { directionGuard } from './direction';
import { entitiesGuard } from './entities';
import { negationGuard } from './negation';
import { numbersGuard } from './numbers';
import { substitutionGuard } from './substitution';
import { bounded } from './text';
import { wordnetAntonyms } from './wordnet-antonyms';
import { wordnetSynsets } from './wordnet-synonyms';

/** A guard: null when the hit is safe, else a short reason. */
export type Guard = (query: string, candidate: string) => string | null;

export const GUARDS: Readonly<Record<string, Guard>> = {
  numbers: numbersGuard,
  negation: negationGuard,
  entities: entitiesGuard,
  direction: directionGuard,
  antonyms: antonymsGuard,
  substitution: substitutionGuard,
};

export const GUARD_NAMES: readonly GuardName[] = Object.keys(GUARDS);

export function checkGuards(query: string, candidate: string, enabled: readonly GuardName[] = GUARD_NAMES): GuardVerdict {
  const a = bounded(query);
  const b = bounded(candidate);
  for (const name of GUARD_NAMES) {
    if (!enabled.includes(name)) continue;
    const detail = GUARDS[name](a, b);
    if (detail !== null) return { ok: false, guard: name, detail };
  }
  return { ok: true };
}

/**
 * Reads WordNet now (≈120 ms of CPU, once per process) instead of on the first semantic lookup:
 * call it where a worker starts.
 */
export function preloadGuards(): void {
  wordnetAntonyms();
  wordnetSynsets('cache');
}
