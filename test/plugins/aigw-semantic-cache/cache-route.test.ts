/**
 * How the cache reads each format: Responses and Google by their canonical chat form, each format
 * in a scope of its own (one question asked in three formats is three entries), every field that
 * changes the answer in the scope, previous_response_id never cached, Google's model from its path.
 */
import type { RequestIdentity } from '../../../lib/identity';
import { type CacheKey, keyOf } from '../../../lib/semantic-cache/scope';
import { type CacheRoute, cacheModelOf, cacheRouteOf, keyedRequestOf } from '../../../plugins/aigw-semantic-cache/cache-route';

const QUESTION = 'How do I rotate a virtual key?';
const CHAT = '/v1/chat/completions';
const RESPONSES = '/v1/responses';
const GOOGLE = '/v1beta/models/gpt-4o-mini:generateContent';
const GOOGLE_STREAM = '/v1beta/models/gpt-4o-mini:streamGenerateContent';

const chat = (extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: QUESTION }], ...extra });
const responses = (extra: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', input: QUESTION, ...extra });
const google = (extra: Record<string, unknown> = {}) => ({ contents: [{ role: 'user', parts: [{ text: QUESTION }] }], ...extra });

function keyFor(path: string, body: Record<string, unknown>, model = 'gpt-4o-mini'): CacheKey | null {
  const keyed = keyedRequestOf(cacheRouteOf(path)!, body);
  return keyed ? keyOf(keyed, 'team:t1', model) : null;
}

describe('the cache route of a path', () => {
  test('the four LLM formats; token counts and other paths are not the cache’s', () => {
    expect(cacheRouteOf(CHAT)).toEqual({ format: 'openai' });
    expect(cacheRouteOf('/v1/messages/')).toEqual({ format: 'anthropic' });
    expect(cacheRouteOf(RESPONSES)).toEqual({ format: 'responses' });
    expect(cacheRouteOf(GOOGLE_STREAM)).toEqual({ format: 'google', call: { model: 'gpt-4o-mini', stream: true } });
    for (const other of ['/v1/responses/input_tokens', '/v1/messages/count_tokens', '/v1/embeddings', '/v1beta/models/x', '/v1beta/models/x:countTokens']) {
      expect(cacheRouteOf(other)).toBeUndefined();
    }
  });
});

describe('keys of the newer formats', () => {
  test('one question in chat, Responses and Google: the same query, three scopes', () => {
    const keys = [keyFor(CHAT, chat())!, keyFor(RESPONSES, responses())!, keyFor(GOOGLE, google())!];
    expect(new Set(keys.map((k) => k.query))).toEqual(new Set([QUESTION]));
    expect(new Set(keys.map((k) => k.scopeId)).size).toBe(3);
  });

  test('delivery does not split a scope: Responses streamed or not, Google through either method', () => {
    expect(keyFor(RESPONSES, responses({ stream: true, store: false, metadata: { a: '1' } }))!.scopeId).toBe(keyFor(RESPONSES, responses())!.scopeId);
    expect(keyFor(GOOGLE_STREAM, google())!.scopeId).toBe(keyFor(GOOGLE, google())!.scopeId);
  });

  test('what changes the answer splits it: instructions, earlier turns, settings, Gemini-only fields', () => {
    const base = keyFor(RESPONSES, responses())!.scopeId;
    expect(keyFor(RESPONSES, responses({ instructions: 'Answer in French.' }))!.scopeId).not.toBe(base);
    expect(keyFor(RESPONSES, responses({ max_output_tokens: 10 }))!.scopeId).not.toBe(base);
    const earlier = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: [{ type: 'input_text', text: QUESTION }] },
    ];
    const continued = keyFor(RESPONSES, responses({ input: earlier }))!;
    expect(continued.query).toBe(QUESTION);
    expect(continued.scopeId).not.toBe(base);

    const gBase = keyFor(GOOGLE, google())!.scopeId;
    expect(keyFor(GOOGLE, google({ systemInstruction: { parts: [{ text: 'Be brief.' }] } }))!.scopeId).not.toBe(gBase);
    expect(keyFor(GOOGLE, google({ generationConfig: { temperature: 0.1 } }))!.scopeId).not.toBe(gBase);
    // Dropped when translated, honoured by a Gemini target: in the scope all the same.
    expect(keyFor(GOOGLE, google({ safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }] }))!.scopeId).not.toBe(gBase);
  });

  test('not cacheable: previous_response_id, a function output last, several candidates, a body the translator refuses', () => {
    expect(keyedRequestOf({ format: 'responses' }, responses({ previous_response_id: 'resp_1' }))).toBeNull();
    const toolOutput = [{ type: 'function_call_output', call_id: 'c1', output: '{}' }];
    expect(keyFor(RESPONSES, responses({ input: toolOutput }))).toBeNull();
    expect(keyFor(GOOGLE, google({ generationConfig: { candidateCount: 2 } }))).toBeNull();
    expect(keyFor(GOOGLE, { contents: 'not a list' })).toBeNull();
    expect(keyFor(RESPONSES, { model: 'gpt-4o-mini' })).toBeNull();
  });
});

describe('the model an entry is scoped to', () => {
  const identity = (models: RequestIdentity['models'], model = '') => ({ model, models }) as RequestIdentity;
  const route = cacheRouteOf('/v1beta/models/fast:generateContent') as CacheRoute;

  test("Google: the path's model through the key's aliases, as aigw-proxy routes it; '' when the key may not use it", () => {
    expect(cacheModelOf(route, {}, identity({ keyModels: [], teamModels: [], aliases: [['fast', 'gpt-4o-mini']] }))).toBe('gpt-4o-mini');
    expect(cacheModelOf(route, {}, undefined)).toBe('fast');
    expect(cacheModelOf(route, {}, identity({ keyModels: ['gpt-4o'], teamModels: [], aliases: [] }))).toBe('');
  });

  test("Responses: the identity's resolved model, else the body's", () => {
    expect(cacheModelOf({ format: 'responses' }, { model: 'fast' }, identity({ keyModels: [], teamModels: [], aliases: [] }, 'gpt-4o-mini'))).toBe(
      'gpt-4o-mini',
    );
    expect(cacheModelOf({ format: 'responses' }, { model: 'gpt-4o' }, undefined)).toBe('gpt-4o');
  });
});
