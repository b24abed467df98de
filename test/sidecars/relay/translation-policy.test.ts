/**
 * The translation policy, cell by cell. For every rule of each client format (lib/translation-
 * policy) and every target family, a request with the feature and the same request without it go
 * through what the relay does (validation, planRefusal, then build(): the client format's
 * forTarget, the family's adapter or the pass-through, the dropped features), and the feature is
 * treated as its rule says:
 *
 *   translated, passed  the upstream request differs from the one without it, and it is not reported dropped
 *   dropped             the upstream request is the one without it, and its name is in the request's dropped list
 *   refused             a 400 in the client's error shape, naming where it is, before anything is built
 *
 * A rule without a sample here, or a field or block type of the SDKs without a rule, fails to
 * compile; a field with no rule is refused wherever the request is translated.
 */
import type { ServerResponse } from 'node:http';
import type * as AnthropicBeta from '@anthropic-ai/sdk/resources/beta/messages/messages';
import type * as AnthropicMessages from '@anthropic-ai/sdk/resources/messages/messages';
import type * as Google from '@google/genai';
import type * as OpenAIChat from 'openai/resources/chat/completions/completions';
import type * as OpenAIResponses from 'openai/resources/responses/responses';
import type * as OpenAIShared from 'openai/resources/shared';
import { type ClientFormatName, errorBody, type GatewayError, gatewayError } from '../../../lib/errors';
import type { Endpoint, PlanTarget } from '../../../lib/plan';
import {
  ANTHROPIC_RULES,
  type AnthropicFeature,
  FAMILIES,
  type Family,
  GOOGLE_RULES,
  type GoogleFeature,
  OPENAI_RULES,
  type OpenAIFeature,
  type Policy,
  planRefusal,
  policyFormatOf,
  RESPONSES_RULES,
  type ResponsesFeature,
} from '../../../lib/translation-policy';
import type { inlineDataKind } from '../../../lib/translation-policy/google-rules';
import { validateClientRequest } from '../../../lib/validate';
import { canonicalFor, type RelayRequest } from '../../../sidecars/relay/admit';
import { build } from '../../../sidecars/relay/attempt';
import { anthropicClientFormat } from '../../../sidecars/relay/client-formats/anthropic/format';
import { type ClientFormat, openAIFormat } from '../../../sidecars/relay/client-formats/client-format';
import { googleClientFormat } from '../../../sidecars/relay/client-formats/google/format';
import { responsesClientFormat } from '../../../sidecars/relay/client-formats/responses';
import type { RelayDeps } from '../../../sidecars/relay/deps';
import { DEFAULT_RETRY_POLICY } from '../../../sidecars/relay/retry-policy';
import { planTarget } from './adapters/adapter-helpers';

// ---- every field and block type the SDKs know has a rule (a compile error names the one missing) ----

/** Leftover names, or `true` when there are none: assigning `true` fails to compile while any is left. */
type NoneLeft<Names> = [Names] extends [never] ? true : Names;

/** The SDKs send these as headers, not in the body. */
type AnthropicHeaderParams = 'betas' | 'user_profile_id' | 'workspace_id';
type AnthropicBodyFields = Exclude<keyof AnthropicMessages.MessageCreateParamsBase | keyof AnthropicBeta.MessageCreateParamsBase, AnthropicHeaderParams>;
type AnthropicNested = 'output_config' | 'metadata';
type ToolResultItem = Exclude<AnthropicMessages.ToolResultBlockParam['content'], string | undefined>[number];
const anthropicFieldsRuled: NoneLeft<Exclude<AnthropicBodyFields, AnthropicFeature | AnthropicNested>> = true;
const anthropicPartsRuled: NoneLeft<
  Exclude<`output_config.${keyof AnthropicMessages.OutputConfig}` | `metadata.${keyof AnthropicMessages.Metadata}`, AnthropicFeature>
> = true;
const anthropicBlocksRuled: NoneLeft<Exclude<`block:${AnthropicMessages.ContentBlockParam['type'] | ToolResultItem['type']}`, AnthropicFeature>> = true;
const openAIFieldsRuled: NoneLeft<Exclude<keyof OpenAIChat.ChatCompletionCreateParamsBase, OpenAIFeature>> = true;
const openAIPartsRuled: NoneLeft<
  Exclude<`part:${OpenAIChat.ChatCompletionContentPart['type'] | OpenAIChat.ChatCompletionContentPartRefusal['type']}`, OpenAIFeature>
> = true;

const responsesFieldsRuled: NoneLeft<Exclude<keyof OpenAIResponses.ResponseCreateParamsBase, ResponsesFeature | 'text' | 'reasoning' | 'stream_options'>> =
  true;
const responsesPartsRuled: NoneLeft<
  Exclude<
    | `text.${keyof OpenAIResponses.ResponseTextConfig}`
    | `reasoning.${keyof OpenAIShared.Reasoning}`
    | `stream_options.${keyof OpenAIResponses.ResponseCreateParams.StreamOptions}`,
    ResponsesFeature
  >
> = true;

/**
 * @google/genai flattens the body into GenerateContentConfig: these of its fields the REST body
 * carries at the top level, these it never sends; every other is a generationConfig field.
 */
type GoogleTopLevelConfig = 'systemInstruction' | 'safetySettings' | 'tools' | 'toolConfig' | 'labels' | 'cachedContent' | 'modelArmorConfig' | 'serviceTier';
type GoogleSdkOnly = 'httpOptions' | 'abortSignal' | 'automaticFunctionCalling';
type GoogleGenerationFields = keyof Google.GenerationConfig | Exclude<keyof Google.GenerateContentConfig, GoogleTopLevelConfig | GoogleSdkOnly>;
const googleFieldsRuled: NoneLeft<Exclude<'model' | 'contents' | GoogleTopLevelConfig, GoogleFeature | 'toolConfig'>> = true;
const googleGenerationRuled: NoneLeft<
  Exclude<
    `generationConfig.${GoogleGenerationFields}` | `generationConfig.thinkingConfig.${keyof Google.ThinkingConfig}`,
    GoogleFeature | 'generationConfig.thinkingConfig'
  >
> = true;
const googleToolConfigRuled: NoneLeft<
  Exclude<
    `toolConfig.${keyof Google.ToolConfig}` | `toolConfig.functionCallingConfig.${keyof Google.FunctionCallingConfig}`,
    GoogleFeature | 'toolConfig.functionCallingConfig'
  >
> = true;
const googleToolsRuled: NoneLeft<Exclude<`tool:${keyof Google.Tool}` | `functionDeclaration.${keyof Google.FunctionDeclaration}`, GoogleFeature>> = true;
/** inlineData is ruled per MIME family. */
const googlePartsRuled: NoneLeft<
  Exclude<
    `part:${keyof Google.Part}` | `part:inlineData:${ReturnType<typeof inlineDataKind>}` | `functionResponse.${keyof Google.FunctionResponse}`,
    GoogleFeature | 'part:inlineData'
  >
> = true;

it('every request field, part of one and content block type the SDKs define has a rule (checked by tsc)', () => {
  expect([
    anthropicFieldsRuled,
    anthropicPartsRuled,
    anthropicBlocksRuled,
    openAIFieldsRuled,
    openAIPartsRuled,
    responsesFieldsRuled,
    responsesPartsRuled,
  ]).toEqual([true, true, true, true, true, true, true]);
  expect([googleFieldsRuled, googleGenerationRuled, googleToolConfigRuled, googleToolsRuled, googlePartsRuled]).toEqual([true, true, true, true, true]);
});

// ---- the relay's path, without sockets ----

const PROVIDER_OF: Record<Family, PlanTarget['provider']> = { openai: 'openai', azure: 'azure', anthropic: 'anthropic', gemini: 'gemini' };

/** OpenAI's own API serves the Responses API (passed as sent): the rest of its family gets Responses translated. */
const RESPONSES_PROVIDER_OF: Record<Family, PlanTarget['provider']> = { ...PROVIDER_OF, openai: 'groq' };

function targetOf(family: Family, provider = PROVIDER_OF[family]): PlanTarget {
  const base = family === 'azure' ? 'https://contoso.openai.azure.com' : `https://${family}.example.com`;
  return planTarget(provider, base, `${family}-model`);
}

const deps = { config: { credentialAllowlist: null }, env: {}, log: { debug() {}, info() {}, warn() {}, error() {} } } as unknown as Pick<
  RelayDeps,
  'config' | 'env' | 'log'
>;

type Outcome = { refused: GatewayError } | { upstream: string; dropped: readonly string[] };

interface Options {
  provider?: PlanTarget['provider'];
  /** The validator refuses it, for every target: its 400 is the outcome. */
  refusedByValidator?: true;
}

/** What the relay does with this body for a one-target plan on this family. */
function outcome(format: ClientFormat, endpoint: Endpoint, body: Record<string, unknown>, family: Family, options: Options = {}): Outcome {
  const valid = validateClientRequest(endpoint, body);
  if (!valid.ok && options.refusedByValidator) return { refused: gatewayError(400, valid.message, valid.code, valid.param) };
  if (!valid.ok) throw new Error(`the sample is not valid: ${valid.message}`);
  if (options.refusedByValidator) throw new Error('the validator let it through');
  const target = targetOf(family, options.provider);
  const refused = planRefusal(policyFormatOf(endpoint), body, [target]);
  if (refused) return { refused };
  const canonical = canonicalFor(format, body, [target]);
  if (!canonical.ok) throw new Error(`not translated: ${canonical.refusal.message}`);
  const request: RelayRequest = {
    plan: { v: 1, requestId: 'req-1', endpoint, model: 'public', targets: [target], bodySha256: '', expiresAt: Date.now() + 60_000 },
    rawBody: Buffer.from(JSON.stringify(body)),
    clientBody: body,
    canonical: canonical.request,
    format,
    stream: body.stream === true,
    wantsStreamUsage: false,
    clientHeaders: {},
    startedAt: Date.now(),
    policy: DEFAULT_RETRY_POLICY,
    res: {} as ServerResponse,
  };
  const built = build(request, target, deps);
  if (!built.ok) throw new Error(`the adapter refused: ${built.failure.error.message}`);
  const { url, body: sent } = built.value.call;
  return { upstream: JSON.stringify({ url, body: JSON.parse(sent.toString()) }), dropped: built.value.dropped };
}

interface Sample {
  with: Record<string, unknown>;
  /** The same request without the feature (by default: the base request). */
  without?: Record<string, unknown>;
  /** Where a refusal names it, when it is not the top-level field of the rule's name. */
  at?: string;
  /** Its effect is on the answer, not on the upstream request (or its one expressible value is the default): only not dropped, not refused. */
  answerOnly?: true;
  refusedByValidator?: true;
}

function expectPolicy(
  format: ClientFormat,
  endpoint: Endpoint,
  base: Record<string, unknown>,
  id: string,
  sample: Sample,
  family: Family,
  policy: Policy,
  provider?: PlanTarget['provider'],
) {
  const options: Options = { ...(provider ? { provider } : {}), ...(sample.refusedByValidator ? { refusedByValidator: true } : {}) };
  const got = outcome(format, endpoint, { ...base, ...sample.with }, family, options);
  if (policy === 'refused') {
    if (!('refused' in got)) throw new Error(`not refused; upstream: ${got.upstream}`);
    const at = sample.at ?? id;
    expect(got.refused).toMatchObject({ status: 400, param: at });
    expectClientShape(format.name, got.refused, at);
    return;
  }
  if ('refused' in got) throw new Error(`refused: ${got.refused.message}`);
  const without = outcome(format, endpoint, { ...base, ...sample.without }, family, provider ? { provider } : {});
  if ('refused' in without) throw new Error(`the request without it was refused: ${without.refused.message}`);
  if (policy === 'dropped') {
    expect(got.dropped).toContain(id);
    expect(got.upstream).toEqual(without.upstream);
    return;
  }
  expect(got.dropped).not.toContain(id);
  if (!sample.answerOnly) expect(got.upstream).not.toEqual(without.upstream);
}

/** The client's own error shape, with the place named. */
function expectClientShape(format: ClientFormatName, error: GatewayError, at: string): void {
  const shaped = errorBody(format, error) as { type?: string; error: { type: string; message: string; param?: string } };
  if (format === 'google') {
    const google = errorBody(format, error) as { error: { code: number; status: string; message: string; details: Array<{ metadata?: { param?: string } }> } };
    expect(google.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(google.error.message.startsWith(`* GenerateContentRequest.${at}: `)).toBe(true);
    expect(google.error.details[0].metadata).toEqual({ param: at });
  } else if (format === 'anthropic') {
    expect(shaped.type).toBe('error');
    expect(shaped.error.type).toBe('invalid_request_error');
    expect(shaped.error.message.startsWith(`${at}: `)).toBe(true);
  } else {
    expect(shaped.error).toMatchObject({ type: 'invalid_request_error', param: at });
    expect(shaped.error.message.length).toBeGreaterThan(20);
  }
}

// ---- /v1/messages ----

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQK';
const person = { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] };
const lookup = { name: 'lookup', description: 'Look it up', input_schema: { type: 'object', properties: { q: { type: 'string' } } } };
const user = (...content: unknown[]) => ({ role: 'user', content });
const assistant = (...content: unknown[]) => ({ role: 'assistant', content });
const text = (t: string, extra: Record<string, unknown> = {}) => ({ type: 'text', text: t, ...extra });
const toolUse = { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'x' } };
const toolResult = (extra: Record<string, unknown> = {}) => ({ type: 'tool_result', tool_use_id: 'toolu_1', content: 'found', ...extra });
/** A conversation with one more block in the first user turn, and the same conversation without it. */
const withBlock = (block: Record<string, unknown>): Sample => ({ with: { messages: [user(text('Hi'), block)] }, without: { messages: [user(text('Hi'))] } });
/** A refused block type, named where it sits. */
const refusedBlock = (type: string): Sample => ({ with: { messages: [user(text('Hi'), { type })] }, at: 'messages.0.content.1' });

const ANTHROPIC_BASE = { model: 'claude-public', max_tokens: 100, messages: [user(text('Hi'))] };

const ANTHROPIC_SAMPLES: Record<AnthropicFeature, Sample> = {
  model: { with: { model: 'another-public-name' }, answerOnly: true },
  max_tokens: { with: { max_tokens: 100 }, without: { max_tokens: 200 } },
  messages: { with: { messages: [user(text('Hi'))] }, without: { messages: [user(text('Bye'))] } },
  system: { with: { system: [text('Be brief.')] } },
  stop_sequences: { with: { stop_sequences: ['END'] } },
  temperature: { with: { temperature: 0.3 } },
  top_p: { with: { top_p: 0.5 } },
  top_k: { with: { top_k: 7 } },
  stream: { with: { stream: true } },
  'metadata.user_id': { with: { metadata: { user_id: 'user-1' } } },
  tools: { with: { tools: [lookup] } },
  tool_choice: { with: { tools: [lookup], tool_choice: { type: 'any' } }, without: { tools: [lookup] } },
  'tool_choice.disable_parallel_tool_use': {
    with: { tools: [lookup], tool_choice: { type: 'auto', disable_parallel_tool_use: true } },
    without: { tools: [lookup], tool_choice: { type: 'auto' } },
  },
  thinking: { with: { thinking: { type: 'enabled', budget_tokens: 2048 } } },
  cache_control: { with: { cache_control: { type: 'ephemeral' } } },
  'output_config.format': { with: { output_config: { format: { type: 'json_schema', schema: person } } } },
  'output_config.effort': { with: { output_config: { effort: 'high' } } },
  output_format: { with: { output_format: { type: 'json_schema', schema: person } } },
  service_tier: { with: { service_tier: 'standard_only' } },
  inference_geo: { with: { inference_geo: 'us' } },
  speed: { with: { speed: 'fast' } },
  diagnostics: { with: { diagnostics: { previous_message_id: 'msg_1' } } },
  container: { with: { container: 'container_1' } },
  mcp_servers: { with: { mcp_servers: [{ type: 'url', url: 'https://mcp.example.com', name: 'docs' }] } },
  context_management: { with: { context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] } } },
  compaction: { with: { compaction: {} } },
  thread: { with: { thread: { type: 'create' } } },
  fallbacks: { with: { fallbacks: 'default' } },
  fallback_credit_token: { with: { fallback_credit_token: 'fct_1' } },
  billing_policy: { with: { billing_policy: { type: 'billing_policy', bill_to: 'user_profile' } } },
  server_tool: { with: { tools: [lookup, { type: 'web_search_20250305', name: 'web_search' }] }, at: 'tools.1' },
  strict: { with: { tools: [{ ...lookup, strict: true }] }, without: { tools: [lookup] } },
  is_error: {
    with: { messages: [user(text('Hi')), assistant(toolUse), user(toolResult({ is_error: true }))] },
    without: { messages: [user(text('Hi')), assistant(toolUse), user(toolResult())] },
  },
  citations: {
    with: {
      messages: [user(text('Hi'), { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'A fact.' }, citations: { enabled: true } })],
    },
    without: { messages: [user(text('Hi'), { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'A fact.' } })] },
  },
  'block:text': withBlock(text('More.')),
  'block:image': withBlock({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }),
  'block:document': withBlock({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF } }),
  'block:search_result': refusedBlock('search_result'),
  'block:tool_use': {
    with: { messages: [user(text('Hi')), assistant(text('Looking.'), toolUse)] },
    without: { messages: [user(text('Hi')), assistant(text('Looking.'))] },
  },
  'block:tool_result': {
    with: { messages: [user(text('Hi')), assistant(toolUse), user(toolResult(), text('Go on.'))] },
    without: { messages: [user(text('Hi')), assistant(toolUse), user(text('Go on.'))] },
  },
  'block:thinking': {
    with: { messages: [user(text('Hi')), assistant({ type: 'thinking', thinking: 'Hmm.', signature: 'sig' }, text('Hello.')), user(text('Go on.'))] },
    without: { messages: [user(text('Hi')), assistant(text('Hello.')), user(text('Go on.'))] },
  },
  'block:redacted_thinking': {
    with: { messages: [user(text('Hi')), assistant({ type: 'redacted_thinking', data: 'opaque' }, text('Hello.')), user(text('Go on.'))] },
    without: { messages: [user(text('Hi')), assistant(text('Hello.')), user(text('Go on.'))] },
  },
  'block:server_tool_use': refusedBlock('server_tool_use'),
  'block:web_search_tool_result': refusedBlock('web_search_tool_result'),
  'block:web_fetch_tool_result': refusedBlock('web_fetch_tool_result'),
  'block:code_execution_tool_result': refusedBlock('code_execution_tool_result'),
  'block:bash_code_execution_tool_result': refusedBlock('bash_code_execution_tool_result'),
  'block:text_editor_code_execution_tool_result': refusedBlock('text_editor_code_execution_tool_result'),
  'block:tool_search_tool_result': refusedBlock('tool_search_tool_result'),
  'block:container_upload': refusedBlock('container_upload'),
  'block:tool_reference': {
    with: { messages: [user(text('Hi')), assistant(toolUse), user(toolResult({ content: [{ type: 'tool_reference' }] }))] },
    at: 'messages.2.content.0.content.0',
  },
  'block:browser_state': {
    with: { messages: [user(text('Hi')), assistant(toolUse), user(toolResult({ content: [{ type: 'browser_state' }] }))] },
    at: 'messages.2.content.0.content.0',
  },
};

const cells = <Id extends string>(rules: Record<Id, { to: Record<Family, Policy> }>) =>
  (Object.keys(rules) as Id[]).flatMap((id) => FAMILIES.map((family) => [id, family, rules[id].to[family]] as const));

describe('/v1/messages: every rule, on every family, does what it says', () => {
  it.each(cells(ANTHROPIC_RULES))('%s → %s: %s', (id, family, policy) => {
    expectPolicy(anthropicClientFormat, 'messages', ANTHROPIC_BASE, id, ANTHROPIC_SAMPLES[id], family, policy);
  });
});

// ---- /v1/chat/completions ----

const fn = (strict?: boolean) => ({
  type: 'function',
  function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } }, ...(strict ? { strict } : {}) },
});
const chatText = (t: string, extra: Record<string, unknown> = {}) => ({ type: 'text', text: t, ...extra });
const withPart = (part: Record<string, unknown>): Sample => ({
  with: { messages: [{ role: 'user', content: [chatText('Hi'), part] }] },
  without: { messages: [{ role: 'user', content: [chatText('Hi')] }] },
});

const OPENAI_BASE = { model: 'gpt-public', messages: [{ role: 'user', content: 'Hi' }] };

const OPENAI_SAMPLES: Record<OpenAIFeature, Sample> = {
  model: { with: { model: 'another-public-name' }, answerOnly: true },
  messages: { with: { messages: [{ role: 'user', content: 'Hi' }] }, without: { messages: [{ role: 'user', content: 'Bye' }] } },
  stream: { with: { stream: true } },
  stream_options: { with: { stream: true, stream_options: { include_usage: true } }, without: { stream: true }, answerOnly: true },
  max_tokens: { with: { max_tokens: 100 } },
  max_completion_tokens: { with: { max_completion_tokens: 100 } },
  n: { with: { n: 1 }, answerOnly: true },
  temperature: { with: { temperature: 0.3 } },
  top_p: { with: { top_p: 0.5 } },
  presence_penalty: { with: { presence_penalty: 0.5 } },
  frequency_penalty: { with: { frequency_penalty: 0.5 } },
  seed: { with: { seed: 42 } },
  stop: { with: { stop: ['END'] } },
  logit_bias: { with: { logit_bias: { '50256': -100 } } },
  logprobs: { with: { logprobs: true } },
  top_logprobs: { with: { top_logprobs: 2 } },
  reasoning_effort: { with: { reasoning_effort: 'low' } },
  verbosity: { with: { verbosity: 'low' } },
  top_k: { with: { top_k: 7 } },
  thinking: { with: { thinking: { type: 'enabled', budget_tokens: 2048 } } },
  tools: { with: { tools: [fn()] } },
  custom_tool: { with: { tools: [fn(), { type: 'custom', custom: { name: 'grep' } }] }, at: 'tools[1]' },
  strict: { with: { tools: [fn(true)] }, without: { tools: [fn()] } },
  tool_choice: { with: { tools: [fn()], tool_choice: 'required' }, without: { tools: [fn()] } },
  parallel_tool_calls: { with: { tools: [fn()], parallel_tool_calls: false }, without: { tools: [fn()] } },
  functions: { with: { functions: [{ name: 'lookup' }] } },
  function_call: { with: { function_call: 'auto' } },
  response_format: { with: { response_format: { type: 'json_schema', json_schema: { name: 'person', schema: person } } } },
  user: { with: { user: 'user-1' } },
  safety_identifier: { with: { safety_identifier: 'user-1' } },
  prompt_cache_key: { with: { prompt_cache_key: 'k' } },
  prompt_cache_retention: { with: { prompt_cache_retention: '24h' } },
  metadata: { with: { metadata: { team: 'a' } } },
  service_tier: { with: { service_tier: 'flex' } },
  store: { with: { store: true } },
  prediction: { with: { prediction: { type: 'content', content: 'Hello' } } },
  modalities: { with: { modalities: ['text', 'audio'] } },
  audio: { with: { audio: { voice: 'alloy', format: 'wav' } } },
  web_search_options: { with: { web_search_options: {} } },
  cache_control: {
    with: { messages: [{ role: 'user', content: [chatText('Hi', { cache_control: { type: 'ephemeral' } })] }] },
    without: { messages: [{ role: 'user', content: [chatText('Hi')] }] },
    at: 'messages[0].content[0].cache_control',
  },
  'part:text': withPart(chatText('More.')),
  'part:image_url': withPart({ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }),
  'part:input_audio': { ...withPart({ type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } }), at: 'messages[0].content[1]' },
  'part:file': withPart({ type: 'file', file: { file_data: `data:application/pdf;base64,${PDF}`, filename: 'a.pdf' } }),
  'part:refusal': {
    with: {
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: [chatText('Hello.'), { type: 'refusal', refusal: 'No.' }] },
        { role: 'user', content: 'Go on.' },
      ],
    },
    without: {
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: [chatText('Hello.')] },
        { role: 'user', content: 'Go on.' },
      ],
    },
  },
};

describe('/v1/chat/completions: every rule, on every family, does what it says', () => {
  it.each(cells(OPENAI_RULES))('%s → %s: %s', (id, family, policy) => {
    expectPolicy(openAIFormat, 'chat.completions', OPENAI_BASE, id, OPENAI_SAMPLES[id], family, policy);
  });
});

// ---- /v1/responses ----

const lookupFn = { type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } };
const said = (role: string, content: unknown) => ({ role, content });
const inputText = (t: string) => ({ type: 'input_text', text: t });
const call = { type: 'function_call', call_id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' };
/** An input with one more item (or part) in it, and the same input without it. */
const withItems = (withIt: unknown[], withoutIt: unknown[]): Sample => ({ with: { input: withIt }, without: { input: withoutIt } });
const validatorRefuses = (body: Record<string, unknown>): Sample => ({ with: body, refusedByValidator: true });

const RESPONSES_BASE = { model: 'gpt-public', input: 'Hi' };

const RESPONSES_SAMPLES: Record<ResponsesFeature, Sample> = {
  model: { with: { model: 'another-public-name' }, answerOnly: true },
  input: { with: { input: 'Hi' }, without: { input: 'Bye' } },
  instructions: { with: { instructions: 'Be brief.' } },
  // Its effect is the kept context the relay puts into the body before translating (responses/continuation.ts).
  previous_response_id: { with: { previous_response_id: 'resp_1' }, answerOnly: true },
  tools: { with: { tools: [lookupFn] } },
  strict: { with: { tools: [{ ...lookupFn, strict: true }] }, without: { tools: [lookupFn] } },
  tool_choice: { with: { tools: [lookupFn], tool_choice: 'required' }, without: { tools: [lookupFn] } },
  parallel_tool_calls: { with: { tools: [lookupFn], parallel_tool_calls: false }, without: { tools: [lookupFn] } },
  'text.format': { with: { text: { format: { type: 'json_schema', name: 'person', schema: person } } } },
  'text.verbosity': { with: { text: { verbosity: 'low' } } },
  'reasoning.effort': { with: { reasoning: { effort: 'low' } } },
  'reasoning.summary': { with: { reasoning: { summary: 'auto' } } },
  'reasoning.generate_summary': { with: { reasoning: { generate_summary: 'auto' } } },
  truncation: { with: { truncation: 'disabled' }, answerOnly: true },
  max_output_tokens: { with: { max_output_tokens: 100 } },
  temperature: { with: { temperature: 0.3 } },
  top_p: { with: { top_p: 0.5 } },
  stream: { with: { stream: true } },
  'stream_options.include_obfuscation': { with: { stream: true, stream_options: { include_obfuscation: true } }, without: { stream: true } },
  // The gateway keeps the answer (or not), after the target answered.
  store: { with: { store: false }, answerOnly: true },
  metadata: { with: { metadata: { team: 'a' } } },
  include: { with: { include: ['reasoning.encrypted_content'] } },
  user: { with: { user: 'user-1' } },
  safety_identifier: { with: { safety_identifier: 'user-1' } },
  prompt_cache_key: { with: { prompt_cache_key: 'k' } },
  background: validatorRefuses({ background: true }),
  conversation: validatorRefuses({ conversation: 'conv_1' }),
  context_management: validatorRefuses({ context_management: [{ type: 'compaction' }] }),
  prompt: validatorRefuses({ prompt: { id: 'pmpt_1' } }),
  prompt_cache_retention: validatorRefuses({ prompt_cache_retention: '24h' }),
  service_tier: validatorRefuses({ service_tier: 'flex' }),
  'item:message': withItems(
    [said('user', 'Hi'), { type: 'message', role: 'assistant', content: 'Hello.' }, said('user', 'Go on.')],
    [said('user', 'Hi'), said('user', 'Go on.')],
  ),
  'item:function_call': withItems([said('user', 'Hi'), said('assistant', 'Looking.'), call], [said('user', 'Hi'), said('assistant', 'Looking.')]),
  'item:function_call_output': withItems(
    [said('user', 'Hi'), call, { type: 'function_call_output', call_id: 'call_1', output: 'found' }, said('user', 'Go on.')],
    [said('user', 'Hi'), call, said('user', 'Go on.')],
  ),
  'item:reasoning': withItems(
    [said('user', 'Hi'), { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Hmm.' }], encrypted_content: 'opaque' }, said('assistant', 'Hello.')],
    [said('user', 'Hi'), said('assistant', 'Hello.')],
  ),
  'part:input_text': withItems([said('user', [inputText('Hi'), inputText('More.')])], [said('user', [inputText('Hi')])]),
  'part:input_image': withItems(
    [said('user', [inputText('Hi'), { type: 'input_image', image_url: `data:image/png;base64,${PNG}` }])],
    [said('user', [inputText('Hi')])],
  ),
  'part:output_text': withItems(
    [said('user', 'Hi'), said('assistant', [inputText('Hello.'), { type: 'output_text', text: ' More.' }])],
    [said('user', 'Hi'), said('assistant', [inputText('Hello.')])],
  ),
  'part:refusal': withItems(
    [
      said('user', 'Hi'),
      said('assistant', [
        { type: 'output_text', text: 'Hello.' },
        { type: 'refusal', refusal: ' No.' },
      ]),
    ],
    [said('user', 'Hi'), said('assistant', [{ type: 'output_text', text: 'Hello.' }])],
  ),
};

describe('/v1/responses: every rule, on every family, does what it says', () => {
  it.each(cells(RESPONSES_RULES))('%s → %s: %s', (id, family, policy) => {
    expectPolicy(responsesClientFormat, 'responses', RESPONSES_BASE, id, RESPONSES_SAMPLES[id], family, policy, RESPONSES_PROVIDER_OF[family]);
  });

  const servable = (Object.keys(RESPONSES_SAMPLES) as ResponsesFeature[]).filter((id) => !RESPONSES_SAMPLES[id].refusedByValidator);
  it.each(servable)('%s reaches OpenAI’s own API as sent (it serves the Responses API: nothing translated, nothing dropped)', (id) => {
    const body = { ...RESPONSES_BASE, ...RESPONSES_SAMPLES[id].with };
    const got = outcome(responsesClientFormat, 'responses', body, 'openai', { provider: 'openai' });
    if ('refused' in got) throw new Error(got.refused.message);
    expect(got.dropped).toEqual([]);
    expect(JSON.parse(got.upstream).body).toEqual({ ...body, model: 'openai-model' });
  });
});

// ---- /v1beta/models/{model}:generateContent ----

const gUser = (...parts: unknown[]) => ({ role: 'user', parts });
const gModel = (...parts: unknown[]) => ({ role: 'model', parts });
const hi = { text: 'Hi' };
const png = { inlineData: { mimeType: 'image/png', data: PNG } };
const declared = { name: 'lookup', description: 'Look it up', parameters: { type: 'OBJECT', properties: { q: { type: 'STRING' } } } };
const declaring = (...declarations: unknown[]) => [{ functionDeclarations: declarations }];
const gCall = { functionCall: { name: 'lookup', args: { q: 'x' } } };
/** A call of the model answered by this result (and the call, when it needs an id). */
const answered = (result: Record<string, unknown>, call: Record<string, unknown> = gCall.functionCall) => ({
  contents: [gUser(hi), gModel({ functionCall: call }), gUser({ functionResponse: result }, { text: 'Go on.' })],
});
/** A first user turn with one more part, and the same turn without it. */
const withGooglePart = (part: Record<string, unknown>, refusedAt?: string): Sample => ({
  with: { contents: [gUser(hi, part)] },
  without: { contents: [gUser(hi)] },
  ...(refusedAt ? { at: `contents[0].parts[1].${refusedAt}` } : {}),
});
/** A model turn with this part (and a user turn after it), and the same conversation without it. */
const inModelTurn = (part: Record<string, unknown>, refusedAt?: string): Sample => ({
  with: { contents: [gUser(hi), gModel({ text: 'Hello.' }, part), gUser({ text: 'Go on.' })] },
  without: { contents: [gUser(hi), gModel({ text: 'Hello.' }), gUser({ text: 'Go on.' })] },
  ...(refusedAt ? { at: `contents[1].parts[1].${refusedAt}` } : {}),
});
const generation = (generationConfig: Record<string, unknown>): Sample => ({ with: { generationConfig } });
const googleTool = (kind: string, value: unknown = {}): Sample => ({ with: { tools: [...declaring(declared), { [kind]: value }] }, at: `tools[1].${kind}` });
const declaration = (with_: Record<string, unknown>, without: Record<string, unknown> = declared): Sample => ({
  with: { tools: declaring(with_) },
  without: { tools: declaring(without) },
});
const calling = (functionCallingConfig: Record<string, unknown>, without?: Record<string, unknown>): Sample => ({
  with: { tools: declaring(declared, { name: 'other' }), toolConfig: { functionCallingConfig } },
  without: { tools: declaring(declared, { name: 'other' }), ...(without ? { toolConfig: { functionCallingConfig: without } } : {}) },
});
const { description: _description, ...undescribed } = declared;

const GOOGLE_BASE = { contents: [gUser(hi)] };

const GOOGLE_SAMPLES: Record<GoogleFeature, Sample> = {
  model: { with: { model: 'models/another-public-name' }, answerOnly: true },
  contents: { with: { contents: [gUser(hi)] }, without: { contents: [gUser({ text: 'Bye' })] } },
  systemInstruction: { with: { systemInstruction: { parts: [{ text: 'Be brief.' }] } } },
  tools: { with: { tools: declaring(declared) } },
  safetySettings: { with: { safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }] } },
  cachedContent: { with: { cachedContent: 'cachedContents/abc' } },
  labels: { with: { labels: { team: 'a' } } },
  serviceTier: { with: { serviceTier: 'flex' } },
  modelArmorConfig: { with: { modelArmorConfig: { promptTemplateName: 'projects/p/locations/l/templates/t' } } },
  'generationConfig.temperature': generation({ temperature: 0.3 }),
  'generationConfig.topP': generation({ topP: 0.5 }),
  'generationConfig.topK': generation({ topK: 7 }),
  'generationConfig.maxOutputTokens': generation({ maxOutputTokens: 100 }),
  'generationConfig.stopSequences': generation({ stopSequences: ['END'] }),
  'generationConfig.candidateCount': generation({ candidateCount: 2 }),
  'generationConfig.seed': generation({ seed: 42 }),
  'generationConfig.presencePenalty': generation({ presencePenalty: 0.5 }),
  'generationConfig.frequencyPenalty': generation({ frequencyPenalty: 0.5 }),
  'generationConfig.responseLogprobs': generation({ responseLogprobs: true }),
  'generationConfig.logprobs': generation({ logprobs: 2 }),
  'generationConfig.responseMimeType': generation({ responseMimeType: 'application/json' }),
  'generationConfig.responseSchema': {
    with: { generationConfig: { responseMimeType: 'application/json', responseSchema: { type: 'OBJECT', properties: { name: { type: 'STRING' } } } } },
    without: { generationConfig: { responseMimeType: 'application/json' } },
  },
  'generationConfig.responseJsonSchema': {
    with: { generationConfig: { responseMimeType: 'application/json', responseJsonSchema: person } },
    without: { generationConfig: { responseMimeType: 'application/json' } },
  },
  'generationConfig.responseModalities': generation({ responseModalities: ['TEXT', 'IMAGE'] }),
  'generationConfig.thinkingConfig.thinkingBudget': generation({ thinkingConfig: { thinkingBudget: 2048 } }),
  'generationConfig.thinkingConfig.thinkingLevel': generation({ thinkingConfig: { thinkingLevel: 'LOW' } }),
  'generationConfig.thinkingConfig.includeThoughts': generation({ thinkingConfig: { includeThoughts: true } }),
  'generationConfig.mediaResolution': generation({ mediaResolution: 'MEDIA_RESOLUTION_LOW' }),
  'generationConfig.speechConfig': generation({ speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Kore' } } } }),
  'generationConfig.imageConfig': generation({ imageConfig: { aspectRatio: '16:9' } }),
  'generationConfig.audioTimestamp': generation({ audioTimestamp: true }),
  'generationConfig.enableAffectiveDialog': generation({ enableAffectiveDialog: true }),
  'generationConfig.enableEnhancedCivicAnswers': generation({ enableEnhancedCivicAnswers: true }),
  'generationConfig.routingConfig': generation({ routingConfig: { autoMode: { modelRoutingPreference: 'BALANCED' } } }),
  'generationConfig.modelSelectionConfig': generation({ modelSelectionConfig: { featureSelectionPreference: 'BALANCED' } }),
  'toolConfig.functionCallingConfig.mode': calling({ mode: 'ANY' }),
  'toolConfig.functionCallingConfig.allowedFunctionNames': calling({ mode: 'ANY', allowedFunctionNames: ['lookup'] }, { mode: 'ANY' }),
  'toolConfig.functionCallingConfig.streamFunctionCallArguments': calling({ streamFunctionCallArguments: true }),
  'toolConfig.retrievalConfig': { with: { toolConfig: { retrievalConfig: { latLng: { latitude: 48.85, longitude: 2.35 } } } } },
  'toolConfig.includeServerSideToolInvocations': { with: { toolConfig: { includeServerSideToolInvocations: true } } },
  'tool:functionDeclarations': { with: { tools: declaring(declared) } },
  'tool:googleSearch': googleTool('googleSearch'),
  'tool:googleSearchRetrieval': googleTool('googleSearchRetrieval'),
  'tool:codeExecution': googleTool('codeExecution'),
  'tool:urlContext': googleTool('urlContext'),
  'tool:googleMaps': googleTool('googleMaps'),
  'tool:fileSearch': googleTool('fileSearch', { fileSearchStoreNames: ['fileSearchStores/a'] }),
  'tool:retrieval': googleTool('retrieval', { vertexAiSearch: { datastore: 'd' } }),
  'tool:enterpriseWebSearch': googleTool('enterpriseWebSearch'),
  'tool:parallelAiSearch': googleTool('parallelAiSearch'),
  'tool:computerUse': googleTool('computerUse', { environment: 'ENVIRONMENT_BROWSER' }),
  'tool:mcpServers': googleTool('mcpServers', [{ name: 'docs' }]),
  'functionDeclaration.name': declaration(declared, { ...declared, name: 'find' }),
  'functionDeclaration.description': declaration(declared, undescribed),
  'functionDeclaration.parameters': declaration(declared, undescribed),
  'functionDeclaration.parametersJsonSchema': declaration({ name: 'lookup', parametersJsonSchema: person }, { name: 'lookup' }),
  'functionDeclaration.response': declaration({ ...declared, response: { type: 'STRING' } }),
  'functionDeclaration.responseJsonSchema': declaration({ ...declared, responseJsonSchema: { type: 'string' } }),
  'functionDeclaration.behavior': declaration({ ...declared, behavior: 'NON_BLOCKING' }),
  'part:text': withGooglePart({ text: 'More.' }),
  'part:inlineData:image': withGooglePart(png),
  'part:inlineData:pdf': withGooglePart({ inlineData: { mimeType: 'application/pdf', data: PDF } }),
  'part:inlineData:text': withGooglePart({ inlineData: { mimeType: 'text/plain', data: Buffer.from('A fact.').toString('base64') } }),
  'part:inlineData:audio': withGooglePart({ inlineData: { mimeType: 'audio/wav', data: 'UklGRg==' } }, 'inlineData'),
  'part:inlineData:video': withGooglePart({ inlineData: { mimeType: 'video/mp4', data: 'AAAA' } }, 'inlineData'),
  'part:inlineData:other': withGooglePart({ inlineData: { mimeType: 'application/zip', data: 'AAAA' } }, 'inlineData'),
  'part:fileData': withGooglePart({ fileData: { mimeType: 'image/png', fileUri: 'https://example.com/a.png' } }),
  'part:functionCall': inModelTurn(gCall),
  'part:functionResponse': {
    with: { contents: [gUser(hi), gModel(gCall), gUser({ functionResponse: { name: 'lookup', response: { r: 'found' } } }, { text: 'Go on.' })] },
    without: { contents: [gUser(hi), gModel(gCall), gUser({ text: 'Go on.' })] },
  },
  'functionResponse.id': { with: answered({ id: 'fc_1', name: 'lookup', response: { r: 'found' } }, { ...gCall.functionCall, id: 'fc_1' }), answerOnly: true },
  'functionResponse.name': { with: answered({ name: 'lookup', response: { r: 'found' } }), answerOnly: true },
  'functionResponse.response': {
    with: answered({ name: 'lookup', response: { r: 'found' } }),
    without: answered({ name: 'lookup', response: { r: 'other' } }),
  },
  'functionResponse.parts': {
    with: answered({ name: 'lookup', response: { r: 'found' }, parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }] }),
    at: 'contents[2].parts[0].functionResponse.parts',
  },
  'functionResponse.willContinue': {
    with: answered({ name: 'lookup', response: { r: 'found' }, willContinue: true }),
    without: answered({ name: 'lookup', response: { r: 'found' } }),
  },
  'functionResponse.scheduling': {
    with: answered({ name: 'lookup', response: { r: 'found' }, scheduling: 'WHEN_IDLE' }),
    without: answered({ name: 'lookup', response: { r: 'found' } }),
  },
  'part:thought': inModelTurn({ text: 'Hmm.', thought: true }),
  'part:thoughtSignature': {
    with: { contents: [gUser(hi), gModel({ text: 'Hello.', thoughtSignature: 'c2ln' }), gUser({ text: 'Go on.' })] },
    without: { contents: [gUser(hi), gModel({ text: 'Hello.' }), gUser({ text: 'Go on.' })] },
  },
  'part:mediaResolution': {
    with: { contents: [gUser(hi, { ...png, mediaResolution: { level: 'MEDIA_RESOLUTION_LOW' } })] },
    without: { contents: [gUser(hi, png)] },
  },
  'part:partMetadata': { with: { contents: [gUser({ ...hi, partMetadata: { k: 'v' } })] } },
  'part:videoMetadata': withGooglePart({ ...png, videoMetadata: { startOffset: '1s' } }, 'videoMetadata'),
  'part:executableCode': inModelTurn({ executableCode: { language: 'PYTHON', code: 'print(1)' } }, 'executableCode'),
  'part:codeExecutionResult': inModelTurn({ codeExecutionResult: { outcome: 'OUTCOME_OK', output: '1' } }, 'codeExecutionResult'),
  'part:toolCall': inModelTurn({ toolCall: { toolType: 'GOOGLE_SEARCH_WEB', args: {} } }, 'toolCall'),
  'part:toolResponse': withGooglePart({ toolResponse: { toolType: 'GOOGLE_SEARCH_WEB', response: {} } }, 'toolResponse'),
};

const googleFormat = googleClientFormat({ model: 'gemini-public', stream: false }, '');

describe('/v1beta/models/{model}:generateContent: every rule, on every family, does what it says', () => {
  it.each(cells(GOOGLE_RULES))('%s → %s: %s', (id, family, policy) => {
    expectPolicy(googleFormat, 'generateContent', GOOGLE_BASE, id, GOOGLE_SAMPLES[id], family, policy);
  });
});

// ---- what no rule names ----

describe('a field no rule names', () => {
  it.each(['openai', 'azure', 'gemini'] as const)('is refused on /v1/messages where it is translated (%s), naming it in Anthropic’s shape', (family) => {
    const got = outcome(anthropicClientFormat, 'messages', { ...ANTHROPIC_BASE, shiny_new_field: true }, family);
    if (!('refused' in got)) throw new Error('not refused');
    expect(got.refused.param).toBe('shiny_new_field');
    expect((errorBody('anthropic', got.refused) as { error: { message: string } }).error.message).toMatch(
      /^shiny_new_field: this field is unknown to the gateway/,
    );
  });

  it.each(['anthropic', 'gemini'] as const)('is refused on /v1/chat/completions where it is translated (%s), naming it in OpenAI’s shape', (family) => {
    const got = outcome(openAIFormat, 'chat.completions', { ...OPENAI_BASE, vendor_extension: 1 }, family);
    if (!('refused' in got)) throw new Error('not refused');
    expect(errorBody('openai', got.refused)).toMatchObject({ error: { param: 'vendor_extension', code: 'unknown_parameter', type: 'invalid_request_error' } });
  });

  it('passes on /v1/messages to an Anthropic target, which gets the request as sent (native pass-through) and judges it', () => {
    const got = outcome(anthropicClientFormat, 'messages', { ...ANTHROPIC_BASE, shiny_new_field: true }, 'anthropic');
    if ('refused' in got) throw new Error(got.refused.message);
    expect(JSON.parse(got.upstream).body.shiny_new_field).toBe(true);
  });

  it.each(['openai', 'azure', 'anthropic'] as const)('is refused on generateContent where it is translated (%s), naming it in Google’s shape', (family) => {
    const got = outcome(googleFormat, 'generateContent', { ...GOOGLE_BASE, generationConfig: { shinyNewField: true } }, family);
    if (!('refused' in got)) throw new Error('not refused');
    expect(errorBody('google', got.refused)).toMatchObject({
      error: { code: 400, status: 'INVALID_ARGUMENT', details: [{ reason: 'UNKNOWN_PARAMETER', metadata: { param: 'generationConfig.shinyNewField' } }] },
    });
  });

  it('passes on generateContent to a Gemini target, which gets the request as sent (native pass-through) and judges it', () => {
    const got = outcome(googleFormat, 'generateContent', { ...GOOGLE_BASE, shinyNewField: true }, 'gemini');
    if ('refused' in got) throw new Error(got.refused.message);
    expect(JSON.parse(got.upstream).body.shinyNewField).toBe(true);
  });

  it.each(['openai', 'azure'] as const)('passes to an OpenAI-format target (%s), which judges it', (family) => {
    const got = outcome(openAIFormat, 'chat.completions', { ...OPENAI_BASE, vendor_extension: 1 }, family);
    if ('refused' in got) throw new Error(got.refused.message);
    expect(JSON.parse(got.upstream).body.vendor_extension).toBe(1);
  });
});
