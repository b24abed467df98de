/**
 * POST /v1/messages/count_tokens through the whole gateway, with the official Anthropic SDK
 * (`client.messages.countTokens`), every provider played by the mock in its own wire format: the
 * target's exact count (Anthropic count_tokens, Gemini countTokens, OpenAI responses/input_tokens),
 * the gateway's estimate for a target without one (Azure), and the gateway around it: the key
 * check (401 in Anthropic's shape, aliases, allowed models), requests per minute that count it,
 * budgets and tokens per minute that do not, no cache on its route, no ledger row.
 *
 * How it can fail: a count routed as a Messages request (max_tokens sent, Anthropic's 400), a
 * count from the gateway where the provider has one (the number differs from the mock's rule),
 * a count reserved against a budget (429 budget_exceeded for an exhausted key) or held to tpm.
 */
import Anthropic from '@anthropic-ai/sdk';
import { countAnthropicInputTokens, countGeminiPromptTokens } from '../harness/mock-provider';
import { E2E_ONLY_MODEL, withAzureDeployments } from '../harness/stack/e2e-deck';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { waitForLedger } from './billing-helpers';
import { uniqueName } from './helpers';

let stack: DevStack;
let anyKey: string;

beforeAll(async () => {
  // The semantic cache on (exact matches: no inference sidecar), to show it never sees a count.
  stack = await startDevStack({ env: {}, sourceTransform: withAzureDeployments, cache: true });
  anyKey = (await createKey()).key;
}, 90_000);

afterAll(async () => {
  await stack?.close();
});

beforeEach(() => stack.mock.reset());

async function createKey(fields: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('count-tokens'), ...fields });
  expect(created.status).toBe(201);
  return { id: created.body.id as string, key: created.body.key as string };
}

const client = (key: string) => new Anthropic({ baseURL: stack.url, apiKey: key, maxRetries: 0 });

/** Claude Code's shape: a system prompt, tools, the conversation so far. */
function prompt(model: string): Anthropic.MessageCountTokensParams {
  return {
    model,
    system: 'You answer briefly.',
    tools: [{ name: 'lookup', description: 'Look a word up', input_schema: { type: 'object', properties: { word: { type: 'string' } } } }],
    messages: [{ role: 'user', content: `How many tokens is this question? (${uniqueName('q')})` }],
  };
}

/** The Messages request of the same prompt. */
function message(model: string): Anthropic.MessageCreateParamsNonStreaming {
  return { ...(prompt(model) as Omit<Anthropic.MessageCreateParamsNonStreaming, 'max_tokens'>), max_tokens: 10 };
}

const upstream = () => stack.mock.requests.map((r) => r.path);

type ApiError = InstanceType<typeof Anthropic.APIError>;

/** The SDK error a call ends in; a call that succeeds fails the test. */
function refusal(call: Promise<unknown>): Promise<ApiError> {
  return call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (error: unknown) => error as ApiError,
  );
}

describe('the count comes from the target when it has one', () => {
  it('Anthropic: the provider’s count_tokens, with the Messages prompt and no max_tokens', async () => {
    const { data, response } = await client(anyKey).messages.countTokens(prompt('claude-sonnet-4-6')).withResponse();
    expect(upstream()).toEqual(['/v1/messages/count_tokens']);
    const sent = stack.mock.requests[0].body as Record<string, unknown>;
    expect(sent).not.toHaveProperty('max_tokens');
    expect(data).toEqual({ input_tokens: countAnthropicInputTokens(sent) });
    expect(response.headers.get('x-aigw-upstream-model')).toBe('anthropic/claude-sonnet-4-6');
    expect(response.headers.get('x-aigw-tokens-estimated')).toBeNull();
    expect(response.headers.get('x-gateway-cost')).toBe('0');
  });

  it('Gemini: countTokens with the generateContent request, system instruction and tools included', async () => {
    const { data, response } = await client(anyKey).messages.countTokens(prompt('gemini-3.5-flash')).withResponse();
    expect(upstream()).toEqual(['/v1beta/models/gemini-3.5-flash:countTokens']);
    const sent = (stack.mock.requests[0].body as { generateContentRequest: Record<string, unknown> }).generateContentRequest;
    expect(sent).toHaveProperty('systemInstruction');
    expect(sent).toHaveProperty('tools');
    expect(data).toEqual({ input_tokens: countGeminiPromptTokens(sent) });
    expect(response.headers.get('x-aigw-tokens-estimated')).toBeNull();
  });

  it('OpenAI: responses/input_tokens with the prompt as input items', async () => {
    const { data, response } = await client(anyKey).messages.countTokens(prompt('gpt-4o-mini')).withResponse();
    expect(upstream()).toEqual(['/v1/responses/input_tokens']);
    const sent = stack.mock.requests[0].body as { model: string; input: Array<{ role?: string }>; tools: unknown[] };
    expect(sent.model).toBe('gpt-4o-mini');
    expect(sent.input.map((item) => item.role)).toEqual(['system', 'user']);
    expect(sent.tools).toHaveLength(1);
    expect(data.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-aigw-upstream-model')).toBe('openai/gpt-4o-mini');
    expect(response.headers.get('x-aigw-tokens-estimated')).toBeNull();
  });

  it('Azure OpenAI, which has no count: the gateway’s o200k estimate, marked, no provider call', async () => {
    const { data, response } = await client(anyKey).messages.countTokens(prompt(E2E_ONLY_MODEL)).withResponse();
    expect(data.input_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-aigw-tokens-estimated')).toBe('true');
    expect(response.headers.get('x-aigw-upstream-model')).toBe('azure/gpt-4o-prod');
    expect(upstream()).toEqual([]);
  });

  it('fails over along the model group as any request does', async () => {
    // `smart`: Claude (one retry), then GPT-4o.
    stack.mock.enqueue({ status: 500 }, { status: 500 });
    const { response } = await client(anyKey).messages.countTokens(prompt('smart')).withResponse();
    expect(response.headers.get('x-aigw-upstream-model')).toBe('openai/gpt-4o');
    expect(upstream()).toEqual(['/v1/messages/count_tokens', '/v1/messages/count_tokens', '/v1/responses/input_tokens']);
  });
});

describe('the key check applies', () => {
  it('a bad key is 401 in Anthropic’s shape, and nothing reaches a provider', async () => {
    const error = await refusal(client(`sk-aigw-${'x'.repeat(40)}`).messages.countTokens(prompt('claude-sonnet-4-6')));
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error.error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(upstream()).toEqual([]);
  });

  it('aliases are rewritten, and a model the key may not use is refused as /v1/messages refuses it', async () => {
    const { key } = await createKey({ models: ['claude-sonnet-4-6'], model_aliases: { fast: 'claude-sonnet-4-6' } });
    const { response } = await client(key).messages.countTokens(prompt('fast')).withResponse();
    expect(response.headers.get('x-aigw-upstream-model')).toBe('anthropic/claude-sonnet-4-6');
    const counting = await refusal(client(key).messages.countTokens(prompt('gemini-3.5-flash')));
    const messaging = await refusal(client(key).messages.create(message('gemini-3.5-flash')));
    expect(counting).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect({ status: counting.status, error: counting.error }).toEqual({ status: messaging.status, error: messaging.error });
  });
});

describe('limits: requests per minute count it, budgets and tokens per minute do not', () => {
  it('a key with nothing left of its budget still counts tokens; its messages are refused', async () => {
    const { key } = await createKey({ max_budget: 0 });
    await expect(client(key).messages.countTokens(prompt('claude-sonnet-4-6'))).resolves.toMatchObject({ input_tokens: expect.any(Number) });
    const refused = await refusal(client(key).messages.create(message('claude-sonnet-4-6')));
    expect(refused.status).toBe(429);
    expect(refused.message).toMatch(/budget_exceeded/);
  });

  it('a tokens-per-minute limit no prompt fits does not stop a count', async () => {
    const { key } = await createKey({ tpm_limit: 1 });
    for (let i = 0; i < 2; i++) await expect(client(key).messages.countTokens(prompt('claude-sonnet-4-6'))).resolves.toBeDefined();
    await expect(client(key).messages.create(message('claude-sonnet-4-6'))).rejects.toMatchObject({ status: 429 });
  });

  it('a count is a request: the requests-per-minute limit refuses the next one, in Anthropic’s shape', async () => {
    const { key } = await createKey({ rpm_limit: 1 });
    await client(key).messages.countTokens(prompt('claude-sonnet-4-6'));
    const refused = await refusal(client(key).messages.countTokens(prompt('claude-sonnet-4-6')));
    expect(refused).toBeInstanceOf(Anthropic.RateLimitError);
    expect(refused.headers?.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('what a count leaves behind', () => {
  it('no cache lookup, a usage record at zero cost, and no ledger row', async () => {
    const { id, key } = await createKey();
    const { response } = await client(key).messages.countTokens(prompt('claude-sonnet-4-6')).withResponse();
    expect(response.headers.get('x-cache-status')).toBeNull();
    const requestId = response.headers.get('x-kong-request-id');
    const record = await waitFor(() => stack.usageRecords().find((r) => r.requestId === requestId));
    expect(record).toMatchObject({ endpoint: 'messages.count_tokens', status: 200, outcome: 'ok', costNano: 0, keyId: id });
    // A Messages request after it (the cache on its route) is billed, and its row is the key's only one.
    const answered = await client(key).messages.create(message('claude-sonnet-4-6')).withResponse();
    expect(answered.response.headers.get('x-cache-status')).toBe('Miss');
    const rows = await waitForLedger(stack.stores.databaseUrl, { keyIds: [id] }, 1);
    expect(rows.map((r) => r.request_id)).toEqual([answered.response.headers.get('x-kong-request-id')]);
  });
});
