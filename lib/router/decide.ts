/**
 * A router's decision for one request. Order: rules (first match), semantic routes (nearest above
 * the threshold), difficulty (score against the calibrated threshold; a weak verdict becomes a
 * cascade when one is configured and the request is not streamed), a cascade alone (non-streamed
 * only), else the default model. Never throws: an embedder or scorer failure answers the default
 * model with a `fallback:` reason (routing is an optimisation: it fails open). Reasons are short
 * ASCII (operator-written names and numbers), never prompt text: they go into a response header.
 */
import { abortable } from '../guardrails/similarity';
import type { ThresholdCalibrator } from './calibration';
import type { CompiledRouter, CompiledRule } from './config';
import type { RouteDecision } from './decision';
import type { RequestFeatures } from './features';
import { cosine, type EmbeddedReferences } from './references';

export interface DecideDeps {
  /** The last user text's embedding in the references' model; null when the embedder is unavailable. */
  embed(text: string): Promise<Float32Array | null>;
  /** The threshold's calibrator, when shared (else the router's own). */
  calibrator?: ThresholdCalibrator;
  /** How long a request waits for references still being embedded (default REFERENCE_WAIT_MS). */
  referenceWaitMs?: number;
}

export const REFERENCE_WAIT_MS = 1000;

export const FALLBACK_EMBEDDER = 'fallback:embedder_unavailable';
export const FALLBACK_SCORER = 'fallback:scorer_failed';

/** Whether every condition of a rule holds for the request. */
export function ruleMatches(rule: CompiledRule, features: RequestFeatures): boolean {
  const when = rule.when;
  const is = <T>(value: T | null | undefined): value is T => value !== undefined && value !== null;
  if (is(when.min_prompt_tokens) && features.promptTokens < when.min_prompt_tokens) return false;
  if (is(when.max_prompt_tokens) && features.promptTokens > when.max_prompt_tokens) return false;
  if (is(when.has_tools) && features.hasTools !== when.has_tools) return false;
  if (is(when.has_images) && features.hasImages !== when.has_images) return false;
  if (is(when.has_code) && features.hasCode !== when.has_code) return false;
  if (is(when.json_mode) && features.jsonMode !== when.json_mode) return false;
  if (is(when.min_depth) && features.depth < when.min_depth) return false;
  if (is(when.max_depth) && features.depth > when.max_depth) return false;
  if (is(when.last_role) && features.lastRole !== when.last_role) return false;
  if (is(when.header)) {
    const raw = features.headers[when.header.name.toLowerCase()];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value !== 'string') return false;
    if (rule.headerValues ? !rule.headerValues.has(value) : value !== when.header.equals) return false;
  }
  if (is(when.key_metadata) && !fieldEquals(features.keyMetadata, when.key_metadata)) return false;
  if (is(when.team_metadata) && !fieldEquals(features.teamMetadata, when.team_metadata)) return false;
  return true;
}

function fieldEquals(metadata: Readonly<Record<string, unknown>>, match: { field: string; equals: string | number | boolean }): boolean {
  return Object.hasOwn(metadata, match.field) && metadata[match.field] === match.equals;
}

const score2 = (value: number): string => value.toFixed(2);

export async function decideRoute(router: CompiledRouter, features: RequestFeatures, deps: DecideDeps): Promise<RouteDecision> {
  const decision = (model: string, route: string, reason: string): RouteDecision => ({ router: router.name, model, route, reason });
  const fallback = (reason: string): RouteDecision => decision(router.defaultModel, 'default', reason);

  for (const rule of router.rules) if (ruleMatches(rule, features)) return decision(rule.model, rule.name, `rule:${rule.name}`);

  const text = features.lastUserText;
  const needsEmbedding = text.trim().length > 0 && (router.semantic !== null || router.difficulty?.score.usesEmbedding === true);
  let embedding: Float32Array | null = null;
  let references: EmbeddedReferences | null = null;
  if (needsEmbedding) {
    [embedding, references] = await Promise.all([safeEmbed(deps, text), referencesOf(router, deps)]);
    if (!embedding || !references || references.vectors[0]?.length !== embedding.length) return fallback(FALLBACK_EMBEDDER);
  }

  if (router.semantic && embedding && references) {
    const best = nearestRoute(router, embedding, references);
    if (best && best.similarity >= router.semantic.threshold) {
      const route = router.semantic.routes[best.route]!;
      return decision(route.model, route.name, `semantic:${score2(best.similarity)}`);
    }
  }

  const cascade = router.cascade && !features.stream ? router.cascade : null;
  if (router.difficulty) {
    const difficulty = router.difficulty;
    let score: number;
    try {
      score = Number(await difficulty.score.score(features, embedding));
    } catch {
      return fallback(FALLBACK_SCORER);
    }
    if (!Number.isFinite(score)) return fallback(FALLBACK_SCORER);
    score = Math.min(1, Math.max(0, score));
    const calibrator = deps.calibrator ?? difficulty.calibrator;
    const threshold = calibrator.threshold();
    calibrator.observe(score);
    if (score >= threshold) return decision(difficulty.strong_model, 'strong', `difficulty:${score2(score)}>=${score2(threshold)}`);
    const reason = `difficulty:${score2(score)}<${score2(threshold)}`;
    // route=cascade says so; a reason never holds `;` (the header separates its fields with one).
    if (cascade) return { ...decision(cascade.weak_model, 'cascade', reason), cascade: { escalate_to: cascade.strong_model, checks: cascade.checks } };
    return decision(difficulty.weak_model, 'weak', reason);
  }
  if (cascade) return { ...decision(cascade.weak_model, 'cascade', 'cascade'), cascade: { escalate_to: cascade.strong_model, checks: cascade.checks } };
  return decision(router.defaultModel, 'default', router.cascade ? 'default:streamed' : 'default');
}

async function safeEmbed(deps: DecideDeps, text: string): Promise<Float32Array | null> {
  try {
    const vector = await deps.embed(text);
    return vector instanceof Float32Array && vector.length > 0 ? vector : null;
  } catch {
    return null;
  }
}

async function referencesOf(router: CompiledRouter, deps: DecideDeps): Promise<EmbeddedReferences | null> {
  if (!router.references) return null;
  if (router.references.current) return router.references.current;
  try {
    return await abortable(router.references.vectors(), AbortSignal.timeout(deps.referenceWaitMs ?? REFERENCE_WAIT_MS));
  } catch {
    return null;
  }
}

/** The semantic route with the utterance most similar to the request (the references start with the utterances). */
function nearestRoute(router: CompiledRouter, embedding: Float32Array, references: EmbeddedReferences): { route: number; similarity: number } | null {
  const routeOf = router.semantic!.routeOf;
  let best: { route: number; similarity: number } | null = null;
  for (let i = 0; i < routeOf.length; i++) {
    const similarity = cosine(references.vectors[i]!, embedding);
    if (!best || similarity > best.similarity) best = { route: routeOf[i]!, similarity };
  }
  return best;
}
