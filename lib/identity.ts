/**
 * Identity and policy records shared by the control API (which writes them), aigw-virtual-key
 * (which enforces them), aigw-proxy (which reserves budget) and the relay (which settles).
 * Money in them is integer nano-USD (lib/money.ts).
 */
import { type CompressionReport, restoreCompressionReport } from './compression/report';
import { type GatewayError, gatewayError } from './errors';
import { type GuardrailPlan, restoreGuardrailPlan } from './guardrails/plan';
import type { RouteDecision } from './router/decision';
import { restoreRouteDecision } from './router/restore';
import { type CacheRequestHeaders, restoreCacheRequestHeaders } from './semantic-cache/cache-control';
import { type CacheFill, restoreCacheFill } from './semantic-cache/fill';
import { restoreTeamCache, type TeamCachePolicy } from './semantic-cache/team-policy';

export type KeyRole = 'user' | 'admin';

export interface BudgetPolicy {
  /** Nano-USD; null = no budget. */
  maxBudgetNano: number | null;
  /** Window length such as "30d", "1h", "1w"; null = the budget never resets. */
  budgetDuration: string | null;
  /** ISO time windows are counted from (creation, or the last budget change). */
  budgetAnchor: string;
}

export interface LimitPolicy {
  rpmLimit: number | null;
  tpmLimit: number | null;
}

export interface TeamRecord extends BudgetPolicy, LimitPolicy {
  id: string;
  name: string;
  /** Kong consumer (username or id) requests of this team authenticate as. */
  kongConsumer: string | null;
  /** Empty = every model. */
  allowedModels: string[];
  metadata: Record<string, unknown>;
  cache: TeamCachePolicy;
}

export interface KeyRecord extends BudgetPolicy, LimitPolicy {
  id: string;
  /** The short visible part of the secret, e.g. "sk-aigw-3f9a". */
  keyPrefix: string;
  keyAlias: string | null;
  role: KeyRole;
  teamId: string | null;
  userId: string | null;
  /** Empty = every model the team allows. */
  allowedModels: string[];
  /** Public alias → configured model name, e.g. {"fast": "gpt-4o-mini"}. */
  modelAliases: Record<string, string>;
  maxParallelRequests: number | null;
  expiresAt: string | null;
  revoked: boolean;
  metadata: Record<string, unknown>;
  team: TeamRecord | null;
}

/**
 * What aigw-virtual-key hands to later plugins through kong.ctx.shared (key `aigw.identity`).
 * Values round-trip through msgpack: plain JSON data only.
 */
export interface RequestIdentity {
  /**
   * Kong's request id ($kong_request_id), read once by the key plugin so later plugins need not
   * ask again: every PDK call is a round trip to a single-threaded plugin server.
   */
  requestId: string;
  /** The request's Content-Length (null: none sent), from the headers the key plugin read. */
  contentLength: number | null;
  keyId: string;
  keyAlias: string | null;
  role: KeyRole;
  teamId: string | null;
  /** The team's name, for the metrics' `team` label (teams are few and named by operators). */
  teamName?: string | null;
  userId: string | null;
  /** The configured model name after alias rewriting. */
  model: string;
  /** Prompt tokens counted by the gateway's tokenizer (an upper-bound estimate). */
  promptTokensEstimate: number;
  budgets: BudgetSubject[];
  /** Key and team per-minute limits, so the relay can correct the token window with actual usage. */
  rateSubjects: RateLimitSubject[];
  /** Epoch ms the request was admitted (its tokens-per-minute bucket). */
  admittedAt: number;
  /** The request holds one of the key's parallel slots for this long unless renewed; null = no slot. */
  parallelLeaseMs: number | null;
  /** Which models the key may use, so `GET /v1/models` lists only those. */
  models: ModelPolicy;
  /** What aigw-prompt-compressor did to the prompt, when it ran (aigw-proxy signs it into the plan). */
  compression?: CompressionReport;
  /** Where the relay stores the answer after a cache miss (aigw-semantic-cache; aigw-proxy signs it into the plan). */
  cache?: CacheFill;
  /** The key's team's cache settings, only when they are not the default (lib/semantic-cache/team-policy.ts). */
  teamCache?: TeamCachePolicy;
  /** The request's Cache-Control and X-Aigw-Cache-Ttl, when it sent either (for aigw-semantic-cache). */
  cacheHeaders?: CacheRequestHeaders;
  /** aigw-virtual-key's span (W3C traceparent), when tracing is on: later plugins nest under it. */
  traceparent?: string;
  /** aigw-guardrails' placeholder map and response detectors (aigw-proxy signs them into the plan). */
  guardrails?: GuardrailPlan;
  /** The prompt template aigw-prompt-template rendered into the request (the cache scopes by its hash; the plan and ledger name it). */
  template?: TemplateUse;
  /** aigw-router's choice when the client named a router (lib/router/decision.ts). */
  route?: RouteDecision;
  /** The key's and its team's metadata, when not empty (aigw-router's key_metadata and team_metadata rules). */
  keyMetadata?: Record<string, unknown>;
  teamMetadata?: Record<string, unknown>;
  /** The routers (public model names) this key may send, written by aigw-router for a request without a body (`GET /v1/models`), which aigw-proxy lists. */
  routers?: string[];
  /** The strategies the key's metadata limits it to, comma-joined (lib/strategy/select.ts); absent: no limit of its own. */
  strategies?: string;
}

/** A rendered template: its name, version, and the hash of what it rendered from (definition and partials used). */
export interface TemplateUse {
  name: string;
  version: number;
  hash: string;
}

/**
 * A key's model rules: its own and its team's allow-lists, and its aliases. Aliases travel as
 * pairs: through kong.ctx.shared an empty object comes back as an array, and a map key such as
 * `__proto__` (an alias is an admin's free text) must never become an object property.
 */
export interface ModelPolicy {
  /** Empty = every model the team allows. */
  keyModels: string[];
  /** Empty = every model. */
  teamModels: string[];
  /** [client-facing alias, configured model name]. */
  aliases: Array<[string, string]>;
}

/** No restriction: the policy of a request no key plugin identified (require_key off). */
export const ANY_MODEL: ModelPolicy = { keyModels: [], teamModels: [], aliases: [] };

export function modelPolicyOf(record: KeyRecord): ModelPolicy {
  return {
    keyModels: record.allowedModels,
    teamModels: record.team?.allowedModels ?? [],
    aliases: Object.entries(record.modelAliases).filter((pair): pair is [string, string] => typeof pair[1] === 'string'),
  };
}

/**
 * What a model name a client sends means for this key: the configured model it stands for
 * (aliases are rewritten first) and whether the key and its team may use that model.
 */
export function resolveModelName(policy: ModelPolicy, requested: string): { model: string; allowed: boolean } {
  const model = policy.aliases.find(([alias]) => alias === requested)?.[1] ?? requested;
  const allows = (list: string[]): boolean => list.length === 0 || list.includes(model);
  return { model, allowed: allows(policy.keyModels) && allows(policy.teamModels) };
}

/** The refusal of a model the key or its team may not use, whichever plugin finds it (body models: aigw-virtual-key; path models: aigw-proxy). */
export function modelNotAllowed(requested: string): GatewayError {
  return gatewayError(403, `This API key is not allowed to use the model \`${requested}\`.`, 'model_not_allowed');
}

/** The names this key may send, among the configured models and its aliases of them, each once. */
export function usableModelNames(policy: ModelPolicy, configured: ReadonlySet<string>): string[] {
  const candidates = new Set([...configured, ...policy.aliases.map(([alias]) => alias)]);
  return [...candidates].filter((name) => {
    const { model, allowed } = resolveModelName(policy, name);
    return allowed && configured.has(model);
  });
}

export interface RateLimitSubject {
  kind: 'key' | 'team';
  id: string;
  rpm: number | null;
  tpm: number | null;
}

export interface BudgetSubject {
  kind: 'key' | 'team';
  id: string;
  maxNano: number;
  /** Epoch ms of the current window's start and end (end null = never resets). */
  periodStart: number;
  periodEnd: number | null;
}

export const IDENTITY_CTX_KEY = 'aigw.identity';

/**
 * kong.ctx.shared values live in Lua tables between plugins, and a Lua table cannot hold nil:
 * every null field comes back missing (and an empty object as an empty array). This restores
 * the nulls of a RequestIdentity read back from kong.ctx.shared, so `=== null` checks (a budget
 * window that never ends, a key without a team, a subject without an rpm limit) stay true.
 */
export function restoreIdentity(value: unknown): RequestIdentity | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as RequestIdentity;
  return {
    ...v,
    requestId: typeof v.requestId === 'string' ? v.requestId : '',
    contentLength: typeof v.contentLength === 'number' ? v.contentLength : null,
    models: restoreModelPolicy(v.models),
    keyAlias: v.keyAlias ?? null,
    teamId: v.teamId ?? null,
    teamName: v.teamName ?? null,
    userId: v.userId ?? null,
    model: v.model ?? '',
    parallelLeaseMs: v.parallelLeaseMs ?? null,
    budgets: restoreBudgetSubjects(v.budgets),
    compression: restoreCompressionReport(v.compression),
    cache: restoreCacheFill(v.cache),
    teamCache: restoreTeamCache(v.teamCache),
    cacheHeaders: restoreCacheRequestHeaders(v.cacheHeaders),
    guardrails: restoreGuardrailPlan(v.guardrails),
    keyMetadata: restoreMetadata(v.keyMetadata),
    teamMetadata: restoreMetadata(v.teamMetadata),
    route: restoreRouteDecision(v.route),
    routers: Array.isArray(v.routers) ? v.routers.filter((name): name is string => typeof name === 'string') : undefined,
    rateSubjects: (Array.isArray(v.rateSubjects) ? v.rateSubjects : []).map((s) => ({ ...s, rpm: s.rpm ?? null, tpm: s.tpm ?? null })),
  };
}

/** Metadata as the identity carries it: only when it has fields (an empty object comes back from Lua as an array). */
export function metadataOf(metadata: Record<string, unknown> | null | undefined): Record<string, unknown> | undefined {
  return metadata && typeof metadata === 'object' && !Array.isArray(metadata) && Object.keys(metadata).length > 0 ? metadata : undefined;
}

function restoreMetadata(value: unknown): Record<string, unknown> | undefined {
  return metadataOf(value as Record<string, unknown> | undefined);
}

/** The nulls of budget subjects read back from kong.ctx.shared (see restoreIdentity). */
export function restoreBudgetSubjects(value: unknown): BudgetSubject[] {
  return (Array.isArray(value) ? (value as BudgetSubject[]) : []).map((s) => ({ ...s, periodEnd: s.periodEnd ?? null }));
}

/**
 * A ModelPolicy read back from kong.ctx.shared. An identity without one (written by an older key
 * plugin) restricts nothing here: the key plugin itself still refuses models a key may not use.
 */
function restoreModelPolicy(value: unknown): ModelPolicy {
  if (typeof value !== 'object' || value === null) return ANY_MODEL;
  const v = value as Partial<ModelPolicy>;
  const strings = (list: unknown): string[] => (Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string') : []);
  const pairs = Array.isArray(v.aliases) ? v.aliases : [];
  return {
    keyModels: strings(v.keyModels),
    teamModels: strings(v.teamModels),
    aliases: pairs.filter((p): p is [string, string] => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string'),
  };
}
