/**
 * The route plan: what aigw-proxy decided for one request, signed so the relay can trust it.
 * The relay accepts nothing else, so a process on the host that bypasses Kong gets a 401.
 * The signature covers the encoded plan and the request id; the plan also pins a hash of the
 * body it was made for and a short expiry, so a captured plan cannot be replayed with another
 * prompt or later on.
 */
import { createHash } from 'node:crypto';
import type { CompressionReport } from './compression/report';
import type { GuardrailPlan } from './guardrails/plan';
import type { BudgetSubject, RateLimitSubject, TemplateUse } from './identity';
import type { ModelPrice } from './pricing';
import type { ProviderType } from './providers';
import type { RouteDecision } from './router/decision';
import type { CacheFill } from './semantic-cache/fill';
import { openEnvelope, signEnvelope } from './signing';
import type { CascadePlan, StrategyPlan } from './strategy/plan';

// The provider names live in the provider registry; aigw-proxy's schema reads them from here.
export { PROVIDER_TYPES, type ProviderType } from './providers';

/**
 * `messages` is Anthropic-format ingress (/v1/messages), translated to any target;
 * `messages.count_tokens` counts the input tokens of such a request (answered, never billed);
 * `responses` is OpenAI's Responses API (/v1/responses), passed through or translated;
 * `responses.input_tokens` counts a Responses request's input tokens; `generateContent` is Google
 * GenAI ingress (/v1beta/models/{model}:generateContent and :streamGenerateContent: the model and
 * whether it streams are in the path).
 */
export type Endpoint = 'chat.completions' | 'embeddings' | 'messages' | 'messages.count_tokens' | 'responses' | 'responses.input_tokens' | 'generateContent';

/** How the relay retries and fails over for this request (defaults in the relay). */
export interface PlanRetry {
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxRetryAfterMs?: number;
  failoverOnContextWindow?: boolean;
  failoverOnContentPolicy?: boolean;
}

export interface TargetTimeouts {
  connectMs: number;
  /** Until the response head (and, streamed, the first event) arrives. */
  firstByteMs: number;
  /** Longest silence allowed between two stream chunks. */
  idleMs: number;
  totalMs: number;
}

export interface PlanTarget {
  provider: ProviderType;
  baseUrl: string;
  /** The model name at the provider. */
  model: string;
  /** Name of the environment variable in the relay that holds the key; never the key itself. */
  credential: string | null;
  timeouts: TargetTimeouts;
  /** USD per million tokens (catalogue or config override); null = unknown, cost recorded as unknown. */
  pricing: ModelPrice | null;
}

/** Who pays for the request and what was reserved for it; absent for unauthenticated routes. */
export interface PlanBilling {
  keyId: string;
  teamId: string | null;
  userId: string | null;
  /** The team's name and the key's alias, for the relay's `team` and `key` metric labels. */
  teamName?: string | null;
  keyAlias?: string | null;
  promptTokensEstimate: number;
  /** Nano-USD reserved against `budgets` before the call; the relay settles it. */
  reservedNano: number;
  budgets: BudgetSubject[];
  rateSubjects: RateLimitSubject[];
  admittedAt: number;
  /** The key's parallel slot this request holds: the relay renews it while the request lives and frees it at the end. */
  parallelLeaseMs?: number | null;
}

export interface RoutePlan {
  v: 1;
  requestId: string;
  endpoint: Endpoint;
  /** The public model name the client asked for. */
  model: string;
  /** Targets in the order to try them. */
  targets: PlanTarget[];
  bodySha256: string;
  expiresAt: number;
  billing?: PlanBilling;
  retry?: PlanRetry;
  /** Why the targets are in this order (logged and counted by the relay). */
  routing?: { algorithm: string; reason: string };
  /** What aigw-prompt-compressor did to the prompt: the relay records tokens and dollars saved. */
  compression?: CompressionReport;
  /** Where to store the answer after a cache miss (aigw-semantic-cache decided; the relay fills). */
  cache?: CacheFill;
  /** aigw-guardrails: the placeholders to restore in the answer, and the answer's own detectors. */
  guardrails?: GuardrailPlan;
  /** The prompt template rendered into the request (aigw-prompt-template): the relay records it in the ledger. */
  template?: TemplateUse;
  /** aigw-router's choice (the client named a router): the relay explains it and runs a cascade. */
  route?: RouteDecision;
  /** The cascade's resolved groups (aigw-proxy, from `route.cascade`); reserved for (docs/strategies.md). */
  cascade?: CascadePlan;
  /** A reasoning strategy the client selected (docs/strategies.md): the relay runs its inner calls. */
  strategy?: StrategyPlan;
}

export interface SignedPlan {
  plan: string;
  signature: string;
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function signPlan(plan: RoutePlan, secret: string): SignedPlan {
  const envelope = signEnvelope(plan, plan.requestId, secret);
  return { plan: envelope.payload, signature: envelope.signature };
}

export type PlanCheck = { ok: true; plan: RoutePlan } | { ok: false; reason: string };

export function verifyPlan(signed: Partial<SignedPlan>, requestId: string | undefined, body: Buffer, secret: string, now: number = Date.now()): PlanCheck {
  const opened = openEnvelope<RoutePlan>({ payload: signed.plan, signature: signed.signature }, requestId, secret);
  if (!opened.ok) {
    const reasons: Record<string, string> = {
      missing: 'missing signed route plan',
      'invalid signature': 'invalid route plan signature',
      malformed: 'malformed route plan',
    };
    return { ok: false, reason: reasons[opened.reason] ?? opened.reason };
  }
  const plan = opened.value;
  if (plan.v !== 1 || plan.requestId !== requestId) return { ok: false, reason: 'route plan does not belong to this request' };
  if (!(plan.expiresAt > now)) return { ok: false, reason: 'route plan expired' };
  if (plan.bodySha256 !== sha256Hex(body)) return { ok: false, reason: 'request body does not match the route plan' };
  if (!Array.isArray(plan.targets) || plan.targets.length === 0) return { ok: false, reason: 'route plan has no target' };
  return { ok: true, plan };
}
