/**
 * Regression tests for the outside probe's findings: wrong-typed fields that reached the adapters
 * and threw (500 relay_error), numbers forwarded unchecked, deep JSON (a stack overflow reported
 * as 503), and inherited properties read from user-keyed maps. Each case went wrong before the
 * shared validators (lib/validate) and the adapter fixes.
 */

import type { ChatRequest } from '../../../lib/openai-types';
import type { Endpoint, PlanTarget } from '../../../lib/plan';
import { parseJsonBody, validateFor } from '../../../plugins/aigw-proxy/validate';
import { anthropicAdapter } from '../../../sidecars/relay/adapters/anthropic';
import { azureAdapter } from '../../../sidecars/relay/adapters/azure';
import { geminiAdapter } from '../../../sidecars/relay/adapters/gemini';
import type { ChatAdapter } from '../../../sidecars/relay/adapters/types';
import { anthropicClientFormat } from '../../../sidecars/relay/client-formats/anthropic/format';

function targetFor(provider: PlanTarget['provider'], baseUrl: string, model: string): PlanTarget {
  return { provider, baseUrl, model, credential: null, timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1, totalMs: 1 }, pricing: null };
}
const TRANSLATED: Array<[string, ChatAdapter, PlanTarget]> = [
  ['anthropic', anthropicAdapter, targetFor('anthropic', 'https://api.anthropic.com', 'claude-sonnet-4-5')],
  ['gemini', geminiAdapter, targetFor('gemini', 'https://generativelanguage.googleapis.com', 'gemini-2.5-flash')],
  ['azure', azureAdapter, targetFor('azure', 'https://contoso.openai.azure.com', 'gpt-4o')],
];
const user = { role: 'user', content: 'hi' };
const chat = (extra: Record<string, unknown>) => ({ model: 'm', messages: [user], ...extra });

function refusalOf(endpoint: Endpoint, body: Record<string, unknown>): { message: string; param: string | null } {
  const result = validateFor(endpoint, body);
  if (result.ok) throw new Error(`accepted ${JSON.stringify(body).slice(0, 200)}`);
  return result;
}

describe('wrong-typed fields are refused by the validator, and never make an adapter throw', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['tool_calls: true', { model: 'm', messages: [user, { role: 'assistant', content: null, tool_calls: true }] }, 'messages[1].tool_calls'],
    ['tool_calls: [null]', { model: 'm', messages: [user, { role: 'assistant', content: null, tool_calls: [null] }] }, 'messages[1].tool_calls[0]'],
    ['tools: "x"', chat({ tools: 'x' }), 'tools'],
    ['tools: [null]', chat({ tools: [null] }), 'tools[0]'],
    [
      'non-string function.arguments',
      {
        model: 'm',
        messages: [user, { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: { a: 1 } } }] }],
      },
      'messages[1].tool_calls[0].function.arguments',
    ],
    ['a content part with a numeric text', { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 5 }] }] }, 'messages[0].content[0].text'],
    ['tool_choice: 5', chat({ tool_choice: 5 }), 'tool_choice'],
    ['response_format: "json"', chat({ response_format: 'json' }), 'response_format'],
    ['stop: 5', chat({ stop: 5 }), 'stop'],
    ['logit_bias: []', chat({ logit_bias: [] }), 'logit_bias'],
    ['reasoning_effort: 5', chat({ reasoning_effort: 5 }), 'reasoning_effort'],
    ['metadata values not strings', chat({ metadata: { a: 1 } }), 'metadata.a'],
  ];
  it.each(cases)('%s → 400 naming the field', (_name, body, param) => {
    expect(refusalOf('chat.completions', body).param).toBe(param);
  });

  /** The shapes that made an adapter throw (a 500 relay_error), now refused or translated by every adapter. */
  const throwing: Array<[string, Record<string, unknown>]> = [
    ...cases.slice(0, 5).map(([name, body]) => [name, body] as [string, Record<string, unknown>]),
    ['a null content part', { model: 'm', messages: [{ role: 'user', content: [null] }] }],
    ['content that is a number', { model: 'm', messages: [{ role: 'user', content: 5 }] }],
    ['a null message', { model: 'm', messages: [null] }],
  ];
  it.each(throwing)('%s: every translating adapter translates or refuses with a 400', (_name, body) => {
    for (const [, adapter, target] of TRANSLATED) {
      const out = adapter.chatRequest(target, body as unknown as ChatRequest, 'k');
      if ('status' in out) expect(out.status).toBe(400);
      else expect(typeof out.body).toBe('string');
    }
  });

  it('tool_choice: null is no choice: Gemini translates it instead of throwing', () => {
    expect(validateFor('chat.completions', chat({ tool_choice: null })).ok).toBe(true);
    const out = geminiAdapter.chatRequest(TRANSLATED[1][2], chat({ tool_choice: null }) as unknown as ChatRequest, 'k');
    expect('url' in out).toBe(true);
  });

  it('/v1/messages with system: [null] is a 400 in Anthropic terms, not a thrown TypeError', () => {
    const body = { model: 'm', max_tokens: 10, system: [null], messages: [user] };
    expect(refusalOf('messages', body).message).toBe('system.0: Input should be a valid dictionary or object to extract fields from');
    expect(anthropicClientFormat.toCanonical(body)).toMatchObject({ ok: false, refusal: { status: 400, param: 'system.0' } });
  });

  it.each([
    ['a null block', { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: [null] }] }, 'messages.0.content.0'],
    [
      'a tool_result with a numeric block',
      { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [7] }] }] },
      'messages.0.content.0.content.0',
    ],
    [
      'tool_use input that is not an object',
      { model: 'm', max_tokens: 10, messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: 'x' }] }] },
      'messages.0.content.0.input',
    ],
    ['tool_choice: "auto"', { model: 'm', max_tokens: 10, messages: [user], tool_choice: 'auto' }, 'tool_choice'],
    [
      'thinking budget below 1024',
      { model: 'm', max_tokens: 4000, messages: [user], thinking: { type: 'enabled', budget_tokens: 10 } },
      'thinking.budget_tokens',
    ],
  ])('/v1/messages %s → 400 naming the field, also from the ingress', (_name, body, param) => {
    expect(refusalOf('messages', body).param).toBe(param);
    expect(anthropicClientFormat.toCanonical(body)).toMatchObject({ ok: false, refusal: { status: 400 } });
  });
});

describe('numbers are bounded', () => {
  it.each([
    ['n: 1e308', chat({ n: 1e308 }), 'n'],
    ['n: 10000', chat({ n: 10_000 }), 'n'],
    ['n: 129 (OpenAI takes at most 128)', chat({ n: 129 }), 'n'],
    ['max_tokens: 1e308', chat({ max_tokens: 1e308 }), 'max_tokens'],
    ['max_completion_tokens: 2^53+1', chat({ max_completion_tokens: 2 ** 53 + 1 }), 'max_completion_tokens'],
    ['temperature: 1e308', chat({ temperature: 1e308 }), 'temperature'],
    ['top_p: -1', chat({ top_p: -1 }), 'top_p'],
    ['seed: 1e308', chat({ seed: 1e308 }), 'seed'],
    ['top_logprobs: 21', chat({ logprobs: true, top_logprobs: 21 }), 'top_logprobs'],
    ['logit_bias: 1e308', chat({ logit_bias: { '50256': 1e308 } }), 'logit_bias.50256'],
  ])('%s → 400 naming the field', (_name, body, param) => {
    expect(refusalOf('chat.completions', body).param).toBe(param);
  });

  it('n: 128 is accepted; OpenAI documents it as the maximum', () => {
    expect(validateFor('chat.completions', chat({ n: 128 })).ok).toBe(true);
  });

  it('embeddings: dimensions 2^53+1 and token ids beyond any vocabulary are refused', () => {
    expect(refusalOf('embeddings', { model: 'e', input: 'a', dimensions: 2 ** 53 + 1 }).param).toBe('dimensions');
    expect(refusalOf('embeddings', { model: 'e', input: [1e308] }).param).toBe('input');
  });

  it('/v1/messages: max_tokens 1e308 and top_k 1e308 are refused', () => {
    expect(refusalOf('messages', { model: 'm', max_tokens: 1e308, messages: [user] }).message).toMatch(/^max_tokens: Input should be less than or equal to /);
    expect(refusalOf('messages', { model: 'm', max_tokens: 10, messages: [user], top_k: 1e308 }).param).toBe('top_k');
  });

  it('Gemini refuses n above its candidateCount maximum (8) with a 400 instead of forwarding it', () => {
    const out = geminiAdapter.chatRequest(TRANSLATED[1][2], chat({ n: 9 }) as unknown as ChatRequest, 'k');
    expect(out).toMatchObject({ status: 400, param: 'n' });
    const eight = geminiAdapter.chatRequest(TRANSLATED[1][2], chat({ n: 8 }) as unknown as ChatRequest, 'k');
    expect('body' in eight && JSON.parse(eight.body).generationConfig.candidateCount).toBe(8);
  });
});

describe('JSON nesting is bounded before it can overflow a stack', () => {
  const deep = (levels: number) => `{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":${'['.repeat(levels)}${']'.repeat(levels)}}`;

  it('a body nested 10,000 deep is refused by the parser, in linear time', () => {
    const started = Date.now();
    const parsed = parseJsonBody(Buffer.from(deep(10_000)));
    expect(parsed).toMatchObject({ ok: false });
    if (!parsed.ok) expect(parsed.message).toMatch(/nested more than 128 levels/);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('brackets inside strings do not count', () => {
    const text = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: '['.repeat(10_000) + '\\"{' }] });
    expect(parseJsonBody(Buffer.from(text)).ok).toBe(true);
  });

  it('an already-parsed deep value is refused by the validator too', () => {
    let value: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) value = [value];
    const result = validateFor(
      'chat.completions',
      chat({ tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', default: value } } }] }),
    );
    expect(result).toMatchObject({ ok: false, param: null });
  });

  it('tool-call arguments nested 10,000 deep are refused (adapters parse and re-serialise them)', () => {
    const args = '['.repeat(10_000) + ']'.repeat(10_000);
    const body = {
      model: 'm',
      messages: [user, { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }] }],
    };
    expect(refusalOf('chat.completions', body).param).toBe('messages[1].tool_calls[0].function.arguments');
  });

  it('Gemini keeps a tool result nested 10,000 deep as text instead of throwing', () => {
    const deepResult = '['.repeat(10_000) + ']'.repeat(10_000);
    const request = {
      model: 'm',
      messages: [
        user,
        { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c', content: deepResult },
      ],
    };
    const out = geminiAdapter.chatRequest(TRANSLATED[1][2], request as unknown as ChatRequest, 'k');
    expect('body' in out && JSON.parse(out.body).contents[2].parts[0].functionResponse.response.result).toBe(deepResult);
  });
});

describe('user-controlled keys never read inherited properties', () => {
  it.each(['constructor', 'toString', '__proto__'])('reasoning_effort %j is refused by the validator and by both translating adapters', (effort) => {
    expect(refusalOf('chat.completions', chat({ reasoning_effort: effort })).param).toBe('reasoning_effort');
    for (const [, adapter, target] of TRANSLATED.slice(0, 2)) {
      expect(adapter.chatRequest(target, chat({ reasoning_effort: effort }) as unknown as ChatRequest, 'k')).toMatchObject({
        status: 400,
        param: 'reasoning_effort',
      });
    }
  });

  it('Gemini: an image URL ending in .constructor has no known image type (refused, not sent with a function as its mimeType)', () => {
    const request = chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.constructor' } }] }] });
    expect(geminiAdapter.chatRequest(TRANSLATED[1][2], request as unknown as ChatRequest, 'k')).toMatchObject({ status: 400 });
  });

  it('Gemini: an image URL that is not a URL is a 400, not a thrown TypeError', () => {
    const request = chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://[' } }] }] });
    expect(geminiAdapter.chatRequest(TRANSLATED[1][2], request as unknown as ChatRequest, 'k')).toMatchObject({ status: 400 });
  });

  it('Gemini schemas: required names and $refs are looked up as own properties only', () => {
    // Parsed from text, as a client's body is: JSON.parse keeps "__proto__" as an own property.
    const tool = JSON.parse(
      '{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"__proto__":{"type":"string"},"city":{"type":"string"}},"required":["constructor","city","__proto__"]}}}',
    );
    const out = geminiAdapter.chatRequest(TRANSLATED[1][2], chat({ tools: [tool] }) as unknown as ChatRequest, 'k');
    const declared = 'body' in out ? JSON.parse(out.body).tools[0].functionDeclarations[0].parameters : null;
    expect(Object.keys(declared.properties).sort()).toEqual(['__proto__', 'city']);
    expect(declared.required).toEqual(['city', '__proto__']);
    const viaProto = {
      type: 'function',
      function: { name: 'g', parameters: { type: 'object', properties: { a: { $ref: '#/$defs/constructor' } }, $defs: {} } },
    };
    expect(geminiAdapter.chatRequest(TRANSLATED[1][2], chat({ tools: [viaProto] }) as unknown as ChatRequest, 'k')).toMatchObject({ status: 400 });
  });

  it('Gemini schemas: $refs that fan out exponentially are refused instead of inlined', () => {
    const $defs: Record<string, unknown> = { d16: { type: 'string' } };
    for (let i = 15; i >= 0; i--) $defs[`d${i}`] = { type: 'object', properties: { a: { $ref: `#/$defs/d${i + 1}` }, b: { $ref: `#/$defs/d${i + 1}` } } };
    const tool = { type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { root: { $ref: '#/$defs/d0' } }, $defs } } };
    expect(geminiAdapter.chatRequest(TRANSLATED[1][2], chat({ tools: [tool] }) as unknown as ChatRequest, 'k')).toMatchObject({
      status: 400,
      param: 'tools[0].function.parameters',
    });
  });
});
