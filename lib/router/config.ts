/**
 * A router as an operator writes it in the aigw-router plugin's config (snake_case, like Kong
 * schemas): a public model name, its candidates (existing model groups) and a policy — rules
 * first (first match wins), then semantic routes, then difficulty, else the default model; a
 * cascade is opt-in. validateRouterDefinition explains every mistake; compileRouter turns a valid
 * definition into what decideRoute reads (references embedded once, in the background).
 */
import type { EmbedTexts } from '../guardrails/similarity';
import { DIFFICULTY_ANCHORS } from './anchors';
import { defaultCalibrator, type ThresholdCalibrator } from './calibration';
import type { CascadeCheck } from './decision';
import { type AnchorVectors, type DifficultyScorer, heuristicScorer } from './difficulty';
import { onnxScorer } from './onnx-scorer';
import { RouterReferences } from './references';

export type LastRole = 'user' | 'tool' | 'assistant';

/** AND-ed conditions on a request; an absent condition always holds. */
export interface RuleConditions {
  min_prompt_tokens?: number;
  max_prompt_tokens?: number;
  has_tools?: boolean;
  has_images?: boolean;
  has_code?: boolean;
  json_mode?: boolean;
  min_depth?: number;
  max_depth?: number;
  last_role?: LastRole;
  /** A request header (name lower-cased) equals `equals`, or is one of `in`. */
  header?: { name: string; equals?: string; in?: string[] };
  /** A field of the key's metadata equals a value (strings, numbers and booleans compared as written). */
  key_metadata?: { field: string; equals: string | number | boolean };
  team_metadata?: { field: string; equals: string | number | boolean };
}

export interface RuleDefinition {
  name: string;
  model: string;
  when: RuleConditions;
}

export interface SemanticRouteDefinition {
  name: string;
  model: string;
  utterances: string[];
}

export interface SemanticDefinition {
  routes: SemanticRouteDefinition[];
  /** Cosine (max over a route's utterances) from which the nearest route wins. */
  threshold?: number;
}

export type ScorerKind = 'heuristic' | 'onnx';

export interface DifficultyDefinition {
  weak_model: string;
  strong_model: string;
  /** Target share of requests sent to the strong model, in (0, 1). */
  strong_share: number;
  scorer: ScorerKind;
  /** The ONNX classifier (scorer `onnx`): docs/routing.md describes its input contract. */
  model_path?: string;
  /** Observed scores between two recalibrations of the threshold (0 = never recalibrate). */
  recalibrate_every?: number;
  /** The threshold before traffic recalibrates it (default: calibrated on the development set for strong_share). */
  initial_threshold?: number;
}

export interface CascadeDefinition {
  weak_model: string;
  strong_model: string;
  checks: CascadeCheck[];
}

export interface RouterDefinition {
  /** The public model name clients send (`auto`). */
  name: string;
  candidates: string[];
  default_model: string;
  rules?: RuleDefinition[];
  semantic?: SemanticDefinition;
  difficulty?: DifficultyDefinition;
  cascade?: CascadeDefinition;
}

/** Bounds of a definition: what compile embeds and what each request evaluates stays small. */
export const ROUTER_LIMITS = {
  nameChars: 64,
  candidates: 32,
  rules: 64,
  headerValues: 32,
  valueChars: 256,
  semanticRoutes: 16,
  utterancesPerRoute: 32,
  utteranceChars: 500,
  checks: 4,
  pathChars: 1024,
} as const;

export const SEMANTIC_THRESHOLD_DEFAULT = 0.7;
const LAST_ROLES: readonly LastRole[] = ['user', 'tool', 'assistant'];
const NAME = /^[A-Za-z0-9._:/@-]+$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * Every mistake in a definition, each naming its field ([] when valid). Every model named must be
 * one of the candidates; with `knownModels`, every candidate must be a configured model group.
 */
export function validateRouterDefinition(def: unknown, knownModels?: Iterable<string>): string[] {
  const errors: string[] = [];
  if (!isObject(def)) return ['router: must be an object'];
  const name = (field: string, value: unknown): value is string => {
    if (typeof value === 'string' && value.length > 0 && value.length <= ROUTER_LIMITS.nameChars && NAME.test(value)) return true;
    errors.push(`${field}: must be a name of 1-${ROUTER_LIMITS.nameChars} letters, digits or ._:/@-`);
    return false;
  };
  name('name', def.name);
  const candidates = new Set<string>();
  if (!Array.isArray(def.candidates) || def.candidates.length === 0 || def.candidates.length > ROUTER_LIMITS.candidates) {
    errors.push(`candidates: must list 1-${ROUTER_LIMITS.candidates} model groups`);
  } else {
    def.candidates.forEach((candidate, i) => {
      if (name(`candidates[${i}]`, candidate)) candidates.add(candidate);
    });
    if (candidates.has(def.name as string)) errors.push('candidates: a router cannot be its own candidate');
    if (knownModels) {
      const known = new Set(knownModels);
      for (const candidate of candidates) if (!known.has(candidate)) errors.push(`candidates: ${candidate} is not a configured model group`);
    }
  }
  const candidate = (field: string, value: unknown): void => {
    if (name(field, value) && candidates.size > 0 && !candidates.has(value)) errors.push(`${field}: ${value} is not one of the candidates`);
  };
  candidate('default_model', def.default_model);
  if (def.rules !== undefined && def.rules !== null) validateRules(def.rules, errors, name, candidate);
  if (def.semantic !== undefined && def.semantic !== null) validateSemantic(def.semantic, errors, name, candidate);
  if (def.difficulty !== undefined && def.difficulty !== null) validateDifficulty(def.difficulty, errors, candidate);
  if (def.cascade !== undefined && def.cascade !== null) validateCascade(def.cascade, errors, candidate);
  return errors;
}

type NameCheck = (field: string, value: unknown) => boolean;
type CandidateCheck = (field: string, value: unknown) => void;

function validateRules(rules: unknown, errors: string[], name: NameCheck, candidate: CandidateCheck): void {
  if (!Array.isArray(rules) || rules.length > ROUTER_LIMITS.rules) {
    errors.push(`rules: must be a list of at most ${ROUTER_LIMITS.rules} rules`);
    return;
  }
  const names = new Set<string>();
  rules.forEach((rule, i) => {
    const at = `rules[${i}]`;
    if (!isObject(rule)) return void errors.push(`${at}: must be an object`);
    if (name(`${at}.name`, rule.name)) {
      if (names.has(rule.name as string)) errors.push(`${at}.name: ${rule.name} is used twice`);
      names.add(rule.name as string);
    }
    candidate(`${at}.model`, rule.model);
    if (!isObject(rule.when)) return void errors.push(`${at}.when: must be an object of conditions`);
    validateConditions(rule.when, `${at}.when`, errors);
  });
}

const BOOLEAN_CONDITIONS = ['has_tools', 'has_images', 'has_code', 'json_mode'] as const;
const COUNT_CONDITIONS = ['min_prompt_tokens', 'max_prompt_tokens', 'min_depth', 'max_depth'] as const;
const KNOWN_CONDITIONS = new Set<string>([...BOOLEAN_CONDITIONS, ...COUNT_CONDITIONS, 'last_role', 'header', 'key_metadata', 'team_metadata']);

function validateConditions(when: Json, at: string, errors: string[]): void {
  for (const field in when) {
    if (when[field] === undefined || when[field] === null) continue;
    if (!KNOWN_CONDITIONS.has(field)) errors.push(`${at}.${field}: unknown condition`);
  }
  for (const field of BOOLEAN_CONDITIONS) {
    const value = when[field];
    if (value !== undefined && value !== null && typeof value !== 'boolean') errors.push(`${at}.${field}: must be true or false`);
  }
  for (const field of COUNT_CONDITIONS) {
    const value = when[field];
    if (value !== undefined && value !== null && !isCount(value)) errors.push(`${at}.${field}: must be a whole number >= 0`);
  }
  const range = (min: unknown, max: unknown, what: string): void => {
    if (isCount(min) && isCount(max) && min > max) errors.push(`${at}: min_${what} is above max_${what}`);
  };
  range(when.min_prompt_tokens, when.max_prompt_tokens, 'prompt_tokens');
  range(when.min_depth, when.max_depth, 'depth');
  if (when.last_role !== undefined && when.last_role !== null && !LAST_ROLES.includes(when.last_role as LastRole)) {
    errors.push(`${at}.last_role: must be one of ${LAST_ROLES.join(', ')}`);
  }
  const header = when.header;
  if (header !== undefined && header !== null) {
    if (!isObject(header) || typeof header.name !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(header.name)) {
      errors.push(`${at}.header.name: must be a header name`);
    } else {
      const hasEquals = header.equals !== undefined && header.equals !== null;
      const hasIn = header.in !== undefined && header.in !== null;
      if (hasEquals === hasIn) errors.push(`${at}.header: set exactly one of equals and in`);
      if (hasEquals && !isBoundedString(header.equals)) errors.push(`${at}.header.equals: must be a string of at most ${ROUTER_LIMITS.valueChars} characters`);
      if (
        hasIn &&
        (!Array.isArray(header.in) || header.in.length === 0 || header.in.length > ROUTER_LIMITS.headerValues || !header.in.every(isBoundedString))
      ) {
        errors.push(`${at}.header.in: must list 1-${ROUTER_LIMITS.headerValues} strings of at most ${ROUTER_LIMITS.valueChars} characters`);
      }
    }
  }
  for (const field of ['key_metadata', 'team_metadata'] as const) {
    const match = when[field];
    if (match === undefined || match === null) continue;
    if (!isObject(match) || typeof match.field !== 'string' || match.field.length === 0 || match.field.length > ROUTER_LIMITS.nameChars) {
      errors.push(`${at}.${field}.field: must be a field name of 1-${ROUTER_LIMITS.nameChars} characters`);
    } else if (!(isBoundedString(match.equals) || typeof match.equals === 'number' || typeof match.equals === 'boolean')) {
      errors.push(`${at}.${field}.equals: must be a string, a number or a boolean`);
    }
  }
}

const isBoundedString = (value: unknown): value is string => typeof value === 'string' && value.length <= ROUTER_LIMITS.valueChars;
const isShare = (value: unknown): value is number => typeof value === 'number' && value > 0 && value < 1;

function validateSemantic(semantic: unknown, errors: string[], name: NameCheck, candidate: CandidateCheck): void {
  if (!isObject(semantic)) return void errors.push('semantic: must be an object');
  const { routes, threshold } = semantic;
  if (threshold !== undefined && threshold !== null && !(typeof threshold === 'number' && threshold > 0 && threshold <= 1)) {
    errors.push('semantic.threshold: must be a cosine in (0, 1]');
  }
  if (!Array.isArray(routes) || routes.length === 0 || routes.length > ROUTER_LIMITS.semanticRoutes) {
    return void errors.push(`semantic.routes: must list 1-${ROUTER_LIMITS.semanticRoutes} routes`);
  }
  const names = new Set<string>();
  routes.forEach((route, i) => {
    const at = `semantic.routes[${i}]`;
    if (!isObject(route)) return void errors.push(`${at}: must be an object`);
    if (name(`${at}.name`, route.name)) {
      if (names.has(route.name as string)) errors.push(`${at}.name: ${route.name} is used twice`);
      names.add(route.name as string);
    }
    candidate(`${at}.model`, route.model);
    const { utterances } = route;
    if (
      !Array.isArray(utterances) ||
      utterances.length === 0 ||
      utterances.length > ROUTER_LIMITS.utterancesPerRoute ||
      !utterances.every((u) => typeof u === 'string' && u.trim().length > 0 && u.length <= ROUTER_LIMITS.utteranceChars)
    ) {
      errors.push(`${at}.utterances: must list 1-${ROUTER_LIMITS.utterancesPerRoute} non-empty texts of at most ${ROUTER_LIMITS.utteranceChars} characters`);
    }
  });
}

function validateDifficulty(difficulty: unknown, errors: string[], candidate: CandidateCheck): void {
  if (!isObject(difficulty)) return void errors.push('difficulty: must be an object');
  candidate('difficulty.weak_model', difficulty.weak_model);
  candidate('difficulty.strong_model', difficulty.strong_model);
  if (!isShare(difficulty.strong_share)) errors.push('difficulty.strong_share: must be a share in (0, 1)');
  if (difficulty.scorer !== 'heuristic' && difficulty.scorer !== 'onnx') errors.push('difficulty.scorer: must be heuristic or onnx');
  const path = difficulty.model_path;
  if (difficulty.scorer === 'onnx' && !(typeof path === 'string' && path.length > 0 && path.length <= ROUTER_LIMITS.pathChars)) {
    errors.push('difficulty.model_path: the onnx scorer needs the path of its model');
  }
  const every = difficulty.recalibrate_every;
  if (every !== undefined && every !== null && !(isCount(every) && every <= 1_000_000))
    errors.push('difficulty.recalibrate_every: must be a whole number in [0, 1000000]');
  const initial = difficulty.initial_threshold;
  if (initial !== undefined && initial !== null && !(typeof initial === 'number' && initial >= 0 && initial <= 1)) {
    errors.push('difficulty.initial_threshold: must be a score in [0, 1]');
  }
}

function validateCascade(cascade: unknown, errors: string[], candidate: CandidateCheck): void {
  if (!isObject(cascade)) return void errors.push('cascade: must be an object');
  candidate('cascade.weak_model', cascade.weak_model);
  candidate('cascade.strong_model', cascade.strong_model);
  const { checks } = cascade;
  if (!Array.isArray(checks) || checks.length === 0 || checks.length > ROUTER_LIMITS.checks) {
    return void errors.push(`cascade.checks: must list 1-${ROUTER_LIMITS.checks} checks`);
  }
  checks.forEach((check, i) => {
    const at = `cascade.checks[${i}]`;
    if (!isObject(check)) return void errors.push(`${at}: must be an object`);
    if (check.kind === 'json' || check.kind === 'json_schema' || check.kind === 'no_refusal') return;
    if (check.kind !== 'judge') return void errors.push(`${at}.kind: must be json, json_schema, no_refusal or judge`);
    candidate(`${at}.model`, check.model);
    if (!(typeof check.min_score === 'number' && check.min_score >= 1 && check.min_score <= 10)) errors.push(`${at}.min_score: must be in [1, 10]`);
  });
}

/** A header rule with its accepted values as a set. */
export interface CompiledRule extends RuleDefinition {
  headerValues: ReadonlySet<string> | null;
}

export interface CompiledSemantic {
  routes: readonly SemanticRouteDefinition[];
  threshold: number;
  /** Index of each reference vector's route (references hold every route's utterances, in order). */
  routeOf: readonly number[];
}

export interface CompiledDifficulty extends DifficultyDefinition {
  scorer: ScorerKind;
  score: DifficultyScorer;
  calibrator: ThresholdCalibrator;
}

export interface CompiledRouter {
  definition: RouterDefinition;
  name: string;
  defaultModel: string;
  rules: readonly CompiledRule[];
  semantic: CompiledSemantic | null;
  difficulty: CompiledDifficulty | null;
  cascade: CascadeDefinition | null;
  /** Semantic utterances then difficulty anchors, embedded once; null without an embedder or without either policy. */
  references: RouterReferences | null;
  /** Where the difficulty anchors start in the references. */
  anchorsAt: number;
}

export interface CompileOptions {
  /** A scorer to use instead of the configured kind (the ONNX scorer, loaded by the caller; tests). */
  scorer?: DifficultyScorer;
}

/**
 * What decideRoute reads, from a definition validateRouterDefinition accepted (throws otherwise,
 * with the errors). The semantic utterances and difficulty anchors start embedding now, in the
 * background, when an embedder is given.
 */
export function compileRouter(def: RouterDefinition, embedder?: EmbedTexts, options: CompileOptions = {}): CompiledRouter {
  const errors = validateRouterDefinition(def);
  if (errors.length > 0) throw new Error(`invalid router ${String(def?.name)}: ${errors.join('; ')}`);
  const rules = (def.rules ?? []).map((rule) => ({
    ...rule,
    headerValues: rule.when.header?.in ? new Set(rule.when.header.in) : null,
  }));
  const semanticTexts: string[] = [];
  const routeOf: number[] = [];
  def.semantic?.routes.forEach((route, index) => {
    for (const utterance of route.utterances) {
      semanticTexts.push(utterance);
      routeOf.push(index);
    }
  });
  const semantic = def.semantic ? { routes: def.semantic.routes, threshold: def.semantic.threshold ?? SEMANTIC_THRESHOLD_DEFAULT, routeOf } : null;
  // The heuristic scorer reads the anchors when there is an embedder to embed them.
  const anchors = def.difficulty?.scorer === 'heuristic' && !options.scorer && embedder ? [...DIFFICULTY_ANCHORS.easy, ...DIFFICULTY_ANCHORS.hard] : [];
  const texts = [...semanticTexts, ...anchors];
  const references = embedder && texts.length > 0 ? new RouterReferences(texts, embedder) : null;
  references?.prefetch();
  const anchorsAt = semanticTexts.length;
  const anchorVectors: AnchorVectors = () => {
    const vectors = references?.current?.vectors;
    if (!vectors) return null;
    const easyEnd = anchorsAt + DIFFICULTY_ANCHORS.easy.length;
    return { easy: vectors.slice(anchorsAt, easyEnd), hard: vectors.slice(easyEnd, easyEnd + DIFFICULTY_ANCHORS.hard.length) };
  };
  let difficulty: CompiledDifficulty | null = null;
  if (def.difficulty) {
    const score =
      options.scorer ??
      (def.difficulty.scorer === 'onnx' ? onnxScorer(def.difficulty.model_path!) : heuristicScorer(anchors.length > 0 ? { anchors: anchorVectors } : {}));
    difficulty = { ...def.difficulty, score, calibrator: defaultCalibrator(def.difficulty) };
  }
  return {
    definition: def,
    name: def.name,
    defaultModel: def.default_model,
    rules,
    semantic,
    difficulty,
    cascade: def.cascade ?? null,
    references,
    anchorsAt,
  };
}
