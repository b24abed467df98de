/**
 * The relay core's steps on their own, without sockets: the walk over a plan with a scripted
 * attempt (retries, failover, giving up, the client leaving), the wrappers around an attempt,
 * build's choice of upstream request, and the settlement that charges a request once.
 */

import type { ServerResponse } from 'node:http';
import { gatewayError } from '../../../lib/errors';
import type { Logger } from '../../../lib/log';
import type { ChatRequest } from '../../../lib/openai-types';
import type { PlanTarget, RoutePlan } from '../../../lib/plan';
import { SingleUse } from '../../../lib/single-use';
import { estimatePromptTokens } from '../../../lib/tokens';
import type { RelayRequest } from '../../../sidecars/relay/admit';
import { build } from '../../../sidecars/relay/attempt';
import { type Attempt, type AttemptFailure, type AttemptOutcome, answered, failed, wrapAttempt } from '../../../sidecars/relay/attempt-outcome';
import { RelayBilling } from '../../../sidecars/relay/billing';
import { anthropicClientFormat } from '../../../sidecars/relay/client-formats/anthropic/format';
import { type ClientFormat, openAIFormat } from '../../../sidecars/relay/client-formats/client-format';
import type { RelayDeps } from '../../../sidecars/relay/deps';
import { RelayMetrics } from '../../../sidecars/relay/metrics';
import { ParallelSlots } from '../../../sidecars/relay/parallel-slots';
import { DEFAULT_RETRY_POLICY } from '../../../sidecars/relay/retry-policy';
import { type AttemptOn, runPlan } from '../../../sidecars/relay/run-plan';
import { Settlement } from '../../../sidecars/relay/settlement';
import type { TargetFeedback } from '../../../sidecars/relay/target-feedback';
import { UpstreamPools } from '../../../sidecars/relay/upstream';
import { planTarget } from './adapters/adapter-helpers';
import { MemoryUsageSink } from './memory-usage-sink';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function target(model: string, provider: PlanTarget['provider'] = 'openai'): PlanTarget {
  return { ...planTarget(provider, 'https://api.example.com/v1', model, 'UPSTREAM_API_KEY'), pricing: { input: 1, output: 2 } };
}

function plan(targets: PlanTarget[], endpoint: RoutePlan['endpoint'] = 'chat.completions'): RoutePlan {
  return { v: 1, requestId: 'req-1', endpoint, model: 'public', targets, bodySha256: '', expiresAt: Date.now() + 60_000 };
}

function relayRequest(p: RoutePlan, body: Record<string, unknown>, format: ClientFormat = openAIFormat): RelayRequest {
  const canonical = p.endpoint === 'embeddings' ? null : format.toCanonical(body);
  if (canonical && !canonical.ok) throw new Error(canonical.refusal.message);
  return {
    plan: p,
    rawBody: Buffer.from(JSON.stringify(body)),
    clientBody: body,
    canonical: canonical ? canonical.request : null,
    format,
    stream: false,
    wantsStreamUsage: false,
    startedAt: Date.now(),
    clientHeaders: {},
    policy: { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1, maxDelayMs: 1 },
    res: { destroyed: false } as ServerResponse,
  };
}

interface FeedbackCall {
  model: string;
  ok: boolean;
  kind?: string;
}

function deps(): RelayDeps & { records: MemoryUsageSink; feedbackCalls: FeedbackCall[] } {
  const feedbackCalls: FeedbackCall[] = [];
  const feedback = {
    begin() {},
    end(t: PlanTarget, _id: string, result: { ok: boolean; kind?: string }) {
      feedbackCalls.push({ model: t.model, ok: result.ok, kind: result.kind });
    },
  } as unknown as TargetFeedback;
  const records = new MemoryUsageSink();
  return {
    config: {
      host: '127.0.0.1',
      port: 0,
      planSecret: 'x'.repeat(32),
      usageLogPath: null,
      credentialAllowlist: null,
      maxBodyBytes: 1 << 20,
      maxResponseBytes: 1 << 20,
      redisUrl: null,
      databaseUrl: null,
    },
    pools: new UpstreamPools(),
    usage: records,
    records,
    log: quiet,
    env: { UPSTREAM_API_KEY: 'sk-up' },
    billing: new RelayBilling(null, null, null, quiet),
    metrics: new RelayMetrics(false),
    feedback,
    feedbackCalls,
    slots: new ParallelSlots(null, quiet),
    usedPlans: new SingleUse(),
  };
}

const failure = (kind: AttemptFailure['kind'], status: number, extra: Partial<AttemptFailure> = {}): AttemptOutcome =>
  failed({ kind, error: gatewayError(status, `${kind} failure`, `code_${kind}`), outcome: 'upstream_error', ...extra });

/** An attempt that plays the given outcomes in order and notes which target each went to. */
function scripted(outcomes: AttemptOutcome[]): { attemptOn: AttemptOn; tried: string[] } {
  const tried: string[] = [];
  return {
    tried,
    attemptOn: async (_request, t) => {
      tried.push(t.model);
      const next = outcomes.shift();
      if (!next) throw new Error('no scripted outcome left');
      return next;
    },
  };
}

const CHAT = { model: 'public', messages: [{ role: 'user', content: 'Hi' }] };

describe('runPlan: the walk over a plan', () => {
  it('retries a transient failure on the same target, fails over after the retries, and stops at the first answer', async () => {
    const d = deps();
    const { attemptOn, tried } = scripted([failure('server', 502), failure('server', 502), failure('timeout', 504), answered(5, null)]);
    const request = relayRequest(plan([target('a'), target('b'), target('c')]), CHAT);
    expect(await runPlan(request, d, attemptOn)).toBeNull();
    expect(tried).toEqual(['a', 'a', 'a', 'b']);
    expect(d.feedbackCalls).toEqual([
      { model: 'a', ok: false, kind: 'server' },
      { model: 'a', ok: false, kind: 'server' },
      { model: 'a', ok: false, kind: 'timeout' },
      { model: 'b', ok: true, kind: undefined },
    ]);
    const text = await d.metrics!.registry.metrics();
    expect(text).toContain('aigw_relay_attempts_total{provider="openai",model="a",result="server",error_type="provider"} 2');
    expect(text).toContain('aigw_relay_routing_decisions_total{model="public",algorithm="none",provider="openai",target_model="b",position="1"} 1');
  });

  it('gives a caller error back at once, charged and recorded, with its cost header', async () => {
    const d = deps();
    const { attemptOn, tried } = scripted([failure('caller', 400)]);
    const error = await runPlan(relayRequest(plan([target('a'), target('b')]), CHAT), d, attemptOn);
    expect(tried).toEqual(['a']);
    expect(error).toMatchObject({ status: 400, code: 'code_caller', headers: { 'x-gateway-cost': '0' } });
    expect(d.records.records).toMatchObject([{ status: 400, outcome: 'upstream_error', providerModel: 'a', costNano: 0 }]);
  });

  it('fails over at once on a Retry-After longer than the policy waits, and on an unusable target', async () => {
    const d = deps();
    const { attemptOn, tried } = scripted([failure('rate_limit', 429, { retryAfterMs: 60_000 }), failure('auth', 502), answered(null, null)]);
    expect(await runPlan(relayRequest(plan([target('a'), target('b'), target('c')]), CHAT), d, attemptOn)).toBeNull();
    expect(tried).toEqual(['a', 'b', 'c']);
  });

  it('after the last target, the client gets the last failure, recorded against the last target', async () => {
    const d = deps();
    const request = relayRequest(plan([target('a'), target('b')]), CHAT);
    request.policy = { ...request.policy, maxRetries: 0 };
    const { attemptOn } = scripted([failure('server', 502), failure('unreachable', 502, { outcome: 'upstream_unreachable' })]);
    const error = await runPlan(request, d, attemptOn);
    expect(error).toMatchObject({ status: 502, code: 'code_unreachable' });
    expect(d.records.records).toMatchObject([{ providerModel: 'b', outcome: 'upstream_unreachable' }]);
  });

  it('stops when the client has left, billing the prompt once a provider accepted the call', async () => {
    const d = deps();
    const request = relayRequest(plan([target('a'), target('b')]), CHAT);
    const { attemptOn, tried } = scripted([failure('stream_cut', 502, { providerAccepted: true })]);
    const leaving: AttemptOn = async (...args) => {
      const outcome = await attemptOn(...args);
      (request.res as { destroyed: boolean }).destroyed = true;
      return outcome;
    };
    expect(await runPlan(request, d, leaving)).toBeNull();
    expect(tried).toEqual(['a']);
    expect(d.records.records).toMatchObject([{ status: 499, outcome: 'client_aborted', usage: { estimated: true, completionTokens: 0 } }]);
  });
});

describe('wrapAttempt', () => {
  it('runs the wrappers around the attempt, the first outermost', async () => {
    const seen: string[] = [];
    const wrapper =
      (name: string) =>
      (next: Attempt): Attempt =>
      async (t, position) => {
        seen.push(`${name} before`);
        const outcome = await next(t, position);
        seen.push(`${name} after`);
        return outcome;
      };
    const inner: Attempt = async () => {
      seen.push('attempt');
      return answered(null, null);
    };
    await wrapAttempt(inner, wrapper('metrics'), wrapper('feedback'))(target('a'), 0);
    expect(seen).toEqual(['metrics before', 'feedback before', 'attempt', 'feedback after', 'metrics after']);
  });
});

describe('build: the upstream request for one target', () => {
  const ok = (outcome: ReturnType<typeof build>) => {
    if (!outcome.ok) throw new Error(outcome.failure.error.message);
    return outcome.value;
  };

  it('passes an OpenAI client’s bytes to any OpenAI-format provider, only the model swapped', () => {
    const built = ok(build(relayRequest(plan([target('llama', 'groq')]), CHAT), target('llama', 'groq'), deps()));
    expect(built.reading).toEqual({ kind: 'passthrough' });
    expect(built.call.url).toBe('https://api.example.com/v1/chat/completions');
    expect(built.call.headers.authorization).toBe('Bearer sk-up');
    expect(JSON.parse(String(built.call.body))).toEqual({ ...CHAT, model: 'llama' });
  });

  it('translates an Anthropic client’s request for an OpenAI target, without Anthropic-only fields', () => {
    const body = { model: 'public', max_tokens: 10, top_k: 5, messages: [{ role: 'user', content: 'Hi' }] };
    const built = ok(build(relayRequest(plan([target('gpt')], 'messages'), body, anthropicClientFormat), target('gpt'), deps()));
    expect(built.reading.kind).toBe('translated');
    const sent = JSON.parse(String(built.call.body)) as ChatRequest;
    expect(sent).toMatchObject({ model: 'gpt', max_completion_tokens: 10 });
    expect(sent.top_k).toBeUndefined();
  });

  it('reads embeddings through the target’s embeddings adapter, or passes them through', () => {
    const body = { model: 'e', input: 'hi' };
    const gemini = ok(build(relayRequest(plan([target('embed', 'gemini')], 'embeddings'), body), target('embed', 'gemini'), deps()));
    expect(gemini.reading.kind).toBe('embeddings');
    const openai = ok(build(relayRequest(plan([target('embed')], 'embeddings'), body), target('embed'), deps()));
    expect([openai.reading.kind, openai.call.url]).toEqual(['passthrough', 'https://api.example.com/v1/embeddings']);
  });

  it('fails as the gateway’s configuration (502, failover) without a usable key, and as the caller’s 400 on an adapter’s refusal', () => {
    const noKey = build(relayRequest(plan([target('a')]), CHAT), { ...target('a'), credential: 'AIGW_PLAN_SECRET' }, deps());
    expect(noKey).toMatchObject({ ok: false, failure: { kind: 'config', error: { status: 502, code: 'upstream_credential_missing' } } });
    const refused = build(relayRequest(plan([target('claude', 'anthropic')]), { ...CHAT, n: 2 }), target('claude', 'anthropic'), deps());
    expect(refused).toMatchObject({ ok: false, failure: { kind: 'caller', error: { status: 400, param: 'n' } } });
  });
});

describe('Settlement', () => {
  it('charges a request once, whatever settles it first, and records the cost', async () => {
    const d = deps();
    const settle = jest.spyOn(d.billing, 'settle');
    const request = relayRequest(plan([target('a')]), CHAT);
    const settlement = new Settlement(request, d.billing, d.records);
    const usage = { promptTokens: 1_000_000, completionTokens: 0, totalTokens: 1_000_000, cachedTokens: 0, reasoningTokens: 0 };
    expect(await settlement.charge(target('a'), usage, 'ok')).toEqual({ 'x-gateway-cost': '1' });
    expect(await settlement.charge(target('a'), null, 'stream_interrupted')).toEqual({ 'x-gateway-cost': '1' });
    expect(settle).toHaveBeenCalledTimes(1);
    expect(settlement.costUsd()).toBe(1);
    settlement.record(target('a'), 200, 'ok', usage, null);
    expect(d.records.records).toMatchObject([{ costNano: 1e9, providerModel: 'a', stream: false }]);
  });

  it("estimates the prompt once: the key plugin's estimate when the plan has one, else the gateway counts the body", () => {
    const request = relayRequest(plan([target('a')]), CHAT);
    const counted = new Settlement(request, deps().billing, deps().records);
    expect(counted.promptTokensEstimate()).toBe(estimatePromptTokens(CHAT));
    expect(counted.estimate('Hello there')).toMatchObject({ promptTokens: estimatePromptTokens(CHAT), completionTokens: 2, estimated: true });

    const billing = { keyId: 'k', teamId: null, userId: null, promptTokensEstimate: 777, reservedNano: 0, budgets: [], rateSubjects: [], admittedAt: 0 };
    const fromPlan = new Settlement({ ...request, plan: { ...request.plan, billing } }, deps().billing, deps().records);
    expect(fromPlan.promptTokensEstimate()).toBe(777);
    expect(fromPlan.estimate('').promptTokens).toBe(777);
  });
});
