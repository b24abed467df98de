/**
 * Property: for any request a client can send, the shared validator refuses it (a message and,
 * below the body level, the field's path) or every adapter translates it or refuses it with a
 * 400: the pass-through and OpenAI adapters, Azure, Anthropic, Gemini, the embeddings adapters,
 * and for /v1/messages, /v1/responses and generateContent their ingress first; the translation policy
 * refuses chat and messages requests with a 400 naming a field, or lets them through. Nothing throws. Seeded and bounded: the same
 * few thousand requests per format on every run.
 */

import type { ChatRequest } from '../../../lib/openai-types';
import type { Endpoint, PlanTarget, ProviderType } from '../../../lib/plan';
import { wireFormatOf } from '../../../lib/providers';
import { estimatePromptTokens } from '../../../lib/tokens';
import { droppedFeatures, type PolicyFormat, planRefusal } from '../../../lib/translation-policy';
import { validateClientRequest } from '../../../lib/validate';
import { adaptersFor, embeddingsAdapterFor } from '../../../sidecars/relay/adapters';
import { anthropicAdapter } from '../../../sidecars/relay/adapters/anthropic';
import { azureAdapter } from '../../../sidecars/relay/adapters/azure';
import { geminiAdapter } from '../../../sidecars/relay/adapters/gemini';
import { buildRequest, buildResponsesRequest, openaiAdapter } from '../../../sidecars/relay/adapters/openai';
import type { ChatAdapter } from '../../../sidecars/relay/adapters/types';
import { anthropicClientFormat } from '../../../sidecars/relay/client-formats/anthropic/format';
import { anthropicRequestForTarget } from '../../../sidecars/relay/client-formats/anthropic/request';
import type { CanonicalRequest, ClientFormat } from '../../../sidecars/relay/client-formats/client-format';
import { generateContentToChat } from '../../../sidecars/relay/client-formats/google/request';
import { responsesClientFormat } from '../../../sidecars/relay/client-formats/responses/format';
import { countedRequest } from '../../../sidecars/relay/token-count/counted-request';
import { hash32 } from '../../harness/mock-provider/tokenizer';
import { anthropicRequest, embeddingsRequest, generateContentRequest, mutate, openAIChatRequest, Rand, responsesRequest } from './request-fuzz';

const VALID_PER_FORMAT = 600;
const MUTANTS_PER_FORMAT = 2400;

function target(provider: ProviderType, baseUrl: string, model: string): PlanTarget {
  return {
    provider,
    baseUrl,
    model,
    credential: null,
    timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1, totalMs: 1 },
    pricing: { input: 3, output: 15, max_output_tokens: 64000 },
  };
}

const CHAT_TARGETS: Array<{ adapter: ChatAdapter; target: PlanTarget }> = [
  { adapter: openaiAdapter, target: target('openai', 'https://api.openai.com/v1', 'gpt-4o') },
  { adapter: azureAdapter, target: target('azure', 'https://contoso.openai.azure.com', 'gpt-4o') },
  { adapter: anthropicAdapter, target: target('anthropic', 'https://api.anthropic.com', 'claude-sonnet-4-5') },
  { adapter: geminiAdapter, target: target('gemini', 'https://generativelanguage.googleapis.com', 'gemini-3-pro') },
];

/** The translation policy on every target: a 400 naming a field, or nothing; what it drops, by name. */
function judge(format: PolicyFormat, body: Record<string, unknown>): void {
  for (const { target: t } of CHAT_TARGETS) {
    const refused = planRefusal(format, body, [t]);
    if (refused && (refused.status !== 400 || !refused.param || refused.message === ''))
      throw new Error(`${t.provider}: bad refusal ${JSON.stringify(refused)}`);
    for (const feature of droppedFeatures(format, body, wireFormatOf(t.provider))) expect(feature).toEqual(expect.any(String));
  }
}

/** An adapter's answer: a request whose body is JSON, or a 400 refusal with a message. */
function expectTranslatedOrRefused(out: { status?: unknown; message?: unknown; code?: unknown; body?: unknown }, where: string): void {
  if ('status' in out) {
    if (out.status !== 400 || typeof out.message !== 'string' || out.message === '' || typeof out.code !== 'string')
      throw new Error(`${where}: bad refusal ${JSON.stringify(out)}`);
    return;
  }
  const body = typeof out.body === 'string' ? out.body : Buffer.isBuffer(out.body) ? out.body.toString('utf8') : null;
  if (body === null) throw new Error(`${where}: no body`);
  JSON.parse(body);
}

function translateChat(body: Record<string, unknown>, raw: Buffer): void {
  judge('openai', body);
  for (const { adapter, target: t } of CHAT_TARGETS) expectTranslatedOrRefused(adapter.chatRequest(t, body as ChatRequest, 'key'), t.provider);
  buildRequest('chat.completions', CHAT_TARGETS[0].target, raw, body, 'key');
}

function translateMessages(body: Record<string, unknown>): void {
  judge('anthropic', body);
  translateCanonical(anthropicClientFormat.toCanonical(body), anthropicClientFormat);
}

const googleFormatForTarget: Pick<ClientFormat, 'forTarget'> = { forTarget: anthropicRequestForTarget };

/** Gemini targets take a Google client's body as sent; every other target gets the translation, or its 400. */
const translateGenerateContent = (body: Record<string, unknown>): void =>
  translateCanonical(generateContentToChat(body, { model: 'm', stream: false }), googleFormatForTarget);

/** A client format's translation: refused with a 400, or every adapter translates it or refuses it with one. */
function translateCanonical(canonical: CanonicalRequest, format: Pick<ClientFormat, 'forTarget'>): void {
  if (!canonical.ok) {
    expect(canonical.refusal.status).toBe(400);
    return;
  }
  for (const { adapter, target: t } of CHAT_TARGETS) {
    // As the relay does: what the policy does not translate for the target never reaches it.
    const request = format.forTarget(canonical.request, wireFormatOf(t.provider));
    expectTranslatedOrRefused(adapter.chatRequest(t, request, 'key'), t.provider);
  }
}

/** As the relay counts: each target's count request, and the estimate for targets without one. */
function translateCount(body: Record<string, unknown>): void {
  const canonical = countedRequest(body);
  if (!canonical.ok) {
    expect(canonical.refusal.status).toBe(400);
    return;
  }
  for (const { target: t } of CHAT_TARGETS) {
    const built = adaptersFor(t.provider).countTokens?.request(t, canonical.request, 'key');
    if (built) expectTranslatedOrRefused(built, t.provider);
  }
  estimatePromptTokens(anthropicClientFormat.forTarget(canonical.request, 'openai'));
}

/** A Messages request as a count sends it: no max_tokens. */
function countRequest(r: Rand): Record<string, unknown> {
  const { max_tokens: _unused, ...body } = anthropicRequest(r);
  return body;
}

function translateEmbeddings(body: Record<string, unknown>, raw: Buffer): void {
  for (const provider of ['azure', 'gemini', 'anthropic'] as const) {
    const adapter = embeddingsAdapterFor(provider)!;
    expectTranslatedOrRefused(adapter.request(target(provider, 'https://x.example.com', 'embed'), body, 'key'), provider);
  }
  buildRequest('embeddings', target('openai', 'https://api.openai.com/v1', 'embed'), raw, body, 'key');
}

/** /v1/responses: the Responses ingress first, then every chat adapter (translated), and the pass-through builder (OpenAI). */
function translateResponses(body: Record<string, unknown>): void {
  judge('responses', body);
  const canonical = responsesClientFormat.toCanonical(body);
  if (!canonical.ok) throw new Error(`the Responses ingress refused what the validator accepted: ${canonical.refusal.message}`);
  for (const { adapter, target: t } of CHAT_TARGETS) expectTranslatedOrRefused(adapter.chatRequest(t, canonical.request, 'key'), t.provider);
  expectTranslatedOrRefused(buildResponsesRequest('responses', CHAT_TARGETS[0].target, body, 'key'), 'openai responses');
}

const FORMATS: Array<{ endpoint: Endpoint; generate: (r: Rand) => Record<string, unknown>; translate: (body: Record<string, unknown>, raw: Buffer) => void }> =
  [
    { endpoint: 'chat.completions', generate: openAIChatRequest, translate: translateChat },
    { endpoint: 'messages', generate: anthropicRequest, translate: translateMessages },
    { endpoint: 'embeddings', generate: embeddingsRequest, translate: translateEmbeddings },
    { endpoint: 'messages.count_tokens', generate: countRequest, translate: translateCount },
    { endpoint: 'responses', generate: responsesRequest, translate: translateResponses },
    { endpoint: 'generateContent', generate: generateContentRequest, translate: translateGenerateContent },
  ];

/** Validates, then translates what passed; the tally shows both paths were exercised. */
function exercise(endpoint: Endpoint, body: Record<string, unknown>, translate: (body: Record<string, unknown>, raw: Buffer) => void, what: string): boolean {
  let result: ReturnType<typeof validateClientRequest>;
  try {
    result = validateClientRequest(endpoint, body);
  } catch (error) {
    throw new Error(`validator threw on ${what}: ${(error as Error).stack}`);
  }
  if (!result.ok) {
    expect(result.message).toEqual(expect.any(String));
    expect(result.message.length).toBeGreaterThan(0);
    // Only problems with the body as a whole (not an object, too deep) name no field.
    if (result.param === null) expect(result.message).toMatch(/JSON object|nested more than/);
    else expect(result.param.length).toBeGreaterThan(0);
    return false;
  }
  try {
    estimatePromptTokens(body);
    translate(body, Buffer.from(JSON.stringify(body)));
  } catch (error) {
    throw new Error(`${endpoint}: an adapter threw on a valid request (${what}): ${(error as Error).stack}\n${JSON.stringify(body).slice(0, 2000)}`);
  }
  return true;
}

describe.each(FORMATS)('$endpoint: validator refuses, or every adapter translates or refuses with a 400', ({ endpoint, generate, translate }) => {
  it(`accepts ${VALID_PER_FORMAT} generated valid requests, and every adapter handles them`, () => {
    const r = new Rand(hash32(`valid:${endpoint}`));
    for (let i = 0; i < VALID_PER_FORMAT; i++) {
      const body = generate(r);
      const result = validateClientRequest(endpoint, body);
      if (!result.ok) throw new Error(`valid request refused: ${result.message}\n${JSON.stringify(body)}`);
      exercise(endpoint, body, translate, `valid #${i}`);
    }
  });

  it(`${MUTANTS_PER_FORMAT} mutants: refused with a message and a path, or translated or refused by every adapter`, () => {
    const r = new Rand(hash32(`mutants:${endpoint}`));
    let accepted = 0;
    for (let i = 0; i < MUTANTS_PER_FORMAT; i++) {
      // One to three changes: some only make sense together (a tool_choice naming a removed tool).
      let mutant = mutate(r, generate(r));
      for (let extra = r.int(3); extra > 0; extra--) {
        const next = mutate(r, mutant.body);
        mutant = { body: next.body, what: `${mutant.what}; ${next.what}` };
      }
      if (exercise(endpoint, mutant.body, translate, mutant.what)) accepted++;
    }
    // Both outcomes happen: the mutations are not all fatal, nor all harmless.
    expect(accepted).toBeGreaterThan(MUTANTS_PER_FORMAT * 0.05);
    expect(accepted).toBeLessThan(MUTANTS_PER_FORMAT * 0.95);
    if (process.env.FUZZ_REPORT) process.stdout.write(`${endpoint}: ${accepted}/${MUTANTS_PER_FORMAT} mutants accepted\n`);
  });
});
