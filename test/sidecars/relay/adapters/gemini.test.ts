/**
 * Gemini adapter, from wire transcripts. Shapes follow Google's Gemini API reference
 * (generateContent, streamGenerateContent?alt=sse, Content/Part, UsageMetadata, FinishReason,
 * BlockReason, thought signatures) and recorded error bodies from the Gemini API; streamed
 * events use Google's `\r\n\r\n` separators.
 */

import type { GatewayError } from '../../../../lib/errors';
import type { ChatCompletionChunk, ChatRequest } from '../../../../lib/openai-types';
import type { PlanTarget } from '../../../../lib/plan';
import { SseParser } from '../../../../lib/sse';
import { type GeminiUpstreamRequest, geminiAdapter, SKIP_SIGNATURE } from '../../../../sidecars/relay/adapters/gemini';
import type { StreamStep, StreamTranslator, TranslationContext } from '../../../../sidecars/relay/adapters/types';
import { planTarget, wire } from './adapter-helpers';
import { accumulate } from './sdk-accumulate';

const target: PlanTarget = planTarget('gemini', 'https://generativelanguage.googleapis.com', 'gemini-2.5-flash', 'GEMINI_API_KEY');
const ctx: TranslationContext = { model: 'smart', requestId: 'req1', created: 1700000000 };

function build(request: Partial<ChatRequest>, t: PlanTarget = target): GeminiUpstreamRequest {
  const out = geminiAdapter.chatRequest(t, { model: 'smart', messages: [], ...request } as ChatRequest, 'AIza-test');
  if ('status' in out) throw new Error(`refused: ${out.message}`);
  return out as GeminiUpstreamRequest;
}
// biome-ignore lint/suspicious/noExplicitAny: the built body, inspected freely
const bodyOf = (request: Partial<ChatRequest>, t?: PlanTarget) => JSON.parse(build(request, t).body) as Record<string, any>;
function refuse(request: Partial<ChatRequest>, t: PlanTarget = target): GatewayError {
  const out = geminiAdapter.chatRequest(t, { model: 'smart', messages: [], ...request } as ChatRequest, 'k');
  if (!('status' in out)) throw new Error('expected a refusal');
  return out;
}

const sse = (...events: unknown[]) => events.map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`).join('');

/** Gemini's four rated categories, as a blocked prompt reports them: two flagged, none marked blocked. */
const safetyRatings = [
  { category: 'HARM_CATEGORY_SEXUALLY_EXPLICIT', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'NEGLIGIBLE' },
  { category: 'HARM_CATEGORY_HARASSMENT', probability: 'MEDIUM' },
  { category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH' },
];

/** Feed a transcript through SseParser and the translator, cut into the given byte pieces; the last step is end() at EOF. */
function translate(transcript: string, cuts: number[] = []): { chunks: ChatCompletionChunk[]; steps: StreamStep[] } {
  const bytes = Buffer.from(transcript, 'utf8');
  const parser = new SseParser();
  const translator = geminiAdapter.chatStream(ctx) as StreamTranslator & { end(): StreamStep };
  const steps: StreamStep[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    for (const event of parser.push(bytes.subarray(from, to))) steps.push(translator.push(event));
    from = to;
  }
  steps.push(translator.end());
  return { chunks: steps.flatMap((s) => s.chunks), steps };
}

// ---------------------------------------------------------------- requests

describe('Gemini request: endpoint and auth', () => {
  it.each([
    [
      'https://generativelanguage.googleapis.com',
      'gemini-2.5-flash',
      false,
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent',
    ],
    [
      'https://generativelanguage.googleapis.com/',
      'gemini-2.5-flash',
      true,
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    ],
    [
      'https://generativelanguage.googleapis.com/v1beta',
      'models/gemini-2.5-pro',
      false,
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:generateContent',
    ],
    [
      'https://generativelanguage.googleapis.com/v1beta/',
      'gemini-2.5-pro',
      true,
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
    ],
  ])('%s + %s (stream %s) → %s', (baseUrl, model, stream, url) => {
    const req = build({ messages: [{ role: 'user', content: 'hi' }], stream }, { ...target, baseUrl, model });
    expect(req.url).toBe(url);
    expect(req.headers['x-goog-api-key']).toBe('AIza-test');
    expect(req.url).not.toContain('AIza');
    expect(req.headers.accept).toBe(stream ? 'text/event-stream' : 'application/json');
    expect(req.dropped).toEqual([]);
  });
});

describe('Gemini request: messages', () => {
  it('puts system and developer text in systemInstruction, maps roles and merges consecutive turns', () => {
    const body = bodyOf({
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'user', content: 'Hello' },
        { role: 'user', content: [{ type: 'text', text: 'Are you there?' }] },
        { role: 'assistant', content: 'Oui.' },
        { role: 'user', content: 'Bye' },
      ],
    });
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'Be terse.' }, { text: 'Answer in French.' }] });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Hello' }, { text: 'Are you there?' }] },
      { role: 'model', parts: [{ text: 'Oui.' }] },
      { role: 'user', parts: [{ text: 'Bye' }] },
    ]);
    expect(body.generationConfig).toBeUndefined();
    expect(body.tools).toBeUndefined();
  });

  it('sends data: images inline and http(s) images as fileData with the inferred type', () => {
    const body = bodyOf({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.JPG?size=large', detail: 'high' } },
          ],
        },
      ],
    });
    expect(body.contents[0].parts).toEqual([
      { text: 'Compare' },
      { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
      { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.JPG?size=large' } },
    ]);
  });

  it.each([
    [
      'an image URL whose type cannot be inferred',
      { type: 'image_url', image_url: { url: 'https://example.com/image' } },
      'messages[0].content[0].image_url.url',
    ],
    ['a data URL that is not base64', { type: 'image_url', image_url: { url: 'data:image/png,abc' } }, 'messages[0].content[0].image_url.url'],
    ['an unknown part type', { type: 'video_url', video_url: 'x' }, 'messages[0].content[0].type'],
  ])('refuses %s with a clear 400', (_name, part, param) => {
    const out = refuse({ messages: [{ role: 'user', content: [part as never] }] });
    expect(out.status).toBe(400);
    expect(out.param).toBe(param);
    expect(out.message.length).toBeGreaterThan(10);
  });
});

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather',
    parameters: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name' },
        unit: { type: ['string', 'null'], enum: ['celsius', 'fahrenheit'] },
        when: { type: 'string', format: 'date' },
        days: { type: 'integer', minimum: 1, maximum: 7, exclusiveMaximum: 8 },
        coords: { $ref: '#/$defs/Coords' },
        tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        note: { anyOf: [{ type: 'string' }, { type: 'null' }], default: null },
      },
      required: ['city', 'missing'],
      additionalProperties: false,
      $defs: {
        Coords: { type: 'object', properties: { lat: { type: 'number' }, lon: { type: 'number' } }, required: ['lat', 'lon'], additionalProperties: false },
      },
    },
    strict: true,
  },
};

describe('Gemini request: tools', () => {
  it('converts parameters to Gemini’s OpenAPI subset and reports the dropped keywords', () => {
    const req = build({
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [weatherTool, { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } }],
    });
    const body = JSON.parse(req.body);
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Current weather',
            parameters: {
              type: 'OBJECT',
              properties: {
                city: { type: 'STRING', description: 'City name' },
                unit: { type: 'STRING', nullable: true, enum: ['celsius', 'fahrenheit'], format: 'enum' },
                when: { type: 'STRING' },
                days: { type: 'INTEGER', minimum: 1, maximum: 7 },
                coords: { type: 'OBJECT', properties: { lat: { type: 'NUMBER' }, lon: { type: 'NUMBER' } }, required: ['lat', 'lon'] },
                tags: { type: 'ARRAY', items: { type: 'STRING' } },
                note: { type: 'STRING', nullable: true, default: null },
              },
              required: ['city'],
            },
          },
          // An object without properties is rejected by Gemini: parameters are left out.
          { name: 'now' },
        ],
      },
    ]);
    expect(req.dropped).toEqual(['schema:$schema', 'schema:additionalProperties', 'schema:exclusiveMaximum', 'schema:format', 'schema:uniqueItems', 'strict']);
  });

  it('refuses recursive schemas', () => {
    const out = refuse({
      messages: [{ role: 'user', content: 'x' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'tree',
            parameters: {
              type: 'object',
              properties: { node: { $ref: '#/$defs/Node' } },
              $defs: { Node: { type: 'object', properties: { child: { $ref: '#/$defs/Node' } } } },
            },
          },
        },
      ],
    });
    expect(out.param).toBe('tools[0].function.parameters');
    expect(out.message).toMatch(/recursive/);
  });

  it.each([
    ['none', { functionCallingConfig: { mode: 'NONE' } }],
    ['auto', { functionCallingConfig: { mode: 'AUTO' } }],
    ['required', { functionCallingConfig: { mode: 'ANY' } }],
    [{ type: 'function', function: { name: 'get_weather' } }, { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } }],
  ])('tool_choice %j → toolConfig %j', (choice, toolConfig) => {
    expect(bodyOf({ messages: [{ role: 'user', content: 'x' }], tools: [weatherTool], tool_choice: choice as ChatRequest['tool_choice'] }).toolConfig).toEqual(
      toolConfig,
    );
  });

  const history: ChatRequest['messages'] = [
    { role: 'user', content: 'Weather in Paris and Tokyo?' },
    {
      role: 'assistant',
      content: 'Checking both.',
      tool_calls: [
        {
          id: 'call_a',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          extra_content: { google: { thought_signature: 'CiQBsig==' } },
        } as never,
        { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_a', content: '{"temp":18,"sky":"clear"}' },
    { role: 'tool', tool_call_id: 'call_b', content: [{ type: 'text', text: 'rain, 22C' }] },
  ];

  it('sends parallel calls as functionCall parts with their signature and the results as one functionResponse turn', () => {
    const body = bodyOf({ messages: history, tools: [weatherTool] });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Tokyo?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Checking both.' },
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'CiQBsig==' },
          { functionCall: { name: 'get_weather', args: { city: 'Tokyo' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { result: { temp: 18, sky: 'clear' } } } },
          { functionResponse: { name: 'get_weather', response: { result: 'rain, 22C' } } },
        ],
      },
    ]);
  });

  it('gives unsigned calls Google’s placeholder signature on Gemini 3 only', () => {
    const unsigned = history.map((m) => (m.tool_calls ? { ...m, tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: c.type, function: c.function })) } : m));
    const g3 = bodyOf({ messages: unsigned }, { ...target, model: 'gemini-3-pro-preview' });
    expect(g3.contents[1].parts[1].thoughtSignature).toBe(SKIP_SIGNATURE);
    expect(g3.contents[1].parts[2].thoughtSignature).toBeUndefined();
    expect(bodyOf({ messages: unsigned }).contents[1].parts[1].thoughtSignature).toBeUndefined();
  });

  it.each([
    ['a tool result for an unknown call id', [{ role: 'tool', tool_call_id: 'nope', content: 'x' }], 'messages[0].tool_call_id'],
    [
      'arguments that are not JSON',
      [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{bad' } }] }],
      'messages[0].tool_calls[0].function.arguments',
    ],
  ])('refuses %s', (_name, messages, param) => {
    expect(refuse({ messages: messages as ChatRequest['messages'] }).param).toBe(param);
  });
});

describe('Gemini request: generation config', () => {
  it('maps sampling, stop sequences, n and JSON mode', () => {
    const body = bodyOf({
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 100,
      temperature: 0.3,
      top_p: 0.9,
      stop: 'END',
      n: 2,
      seed: 7,
      response_format: { type: 'json_object' },
    });
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 100,
      temperature: 0.3,
      topP: 0.9,
      stopSequences: ['END'],
      candidateCount: 2,
      seed: 7,
      responseMimeType: 'application/json',
    });
  });

  it('prefers max_completion_tokens and sends json_schema as responseSchema', () => {
    const body = bodyOf({
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 5,
      max_completion_tokens: 50,
      stop: ['a', 'b'],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'r',
          strict: true,
          schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'], additionalProperties: false },
        },
      },
    });
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 50,
      stopSequences: ['a', 'b'],
      responseMimeType: 'application/json',
      responseSchema: { type: 'OBJECT', properties: { n: { type: 'INTEGER' } }, required: ['n'] },
    });
  });

  it.each([
    ['none', { thinkingBudget: 0 }],
    ['minimal', { thinkingBudget: 512, includeThoughts: true }],
    ['low', { thinkingBudget: 1024, includeThoughts: true }],
    ['medium', { thinkingBudget: 8192, includeThoughts: true }],
    ['high', { thinkingBudget: 24576, includeThoughts: true }],
  ])('reasoning_effort %s → thinkingConfig %j', (effort, thinkingConfig) => {
    expect(bodyOf({ messages: [{ role: 'user', content: 'x' }], reasoning_effort: effort }).generationConfig.thinkingConfig).toEqual(thinkingConfig);
  });

  it('drops cache_control markers and reports that it did', () => {
    const req = build({
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'long context', cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: [{ type: 'text', text: 'q', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
      ],
      tools: [{ ...weatherTool, function: { name: 'f' }, cache_control: { type: 'ephemeral' } }],
    });
    expect(req.dropped).toContain('cache_control');
    expect(req.body).not.toContain('cache_control');
    expect(JSON.parse(req.body).systemInstruction).toEqual({ parts: [{ text: 'long context' }] });
  });
});

// ---------------------------------------------------------------- responses

const usageMeta = {
  promptTokenCount: 120,
  candidatesTokenCount: 30,
  totalTokenCount: 200,
  cachedContentTokenCount: 100,
  thoughtsTokenCount: 50,
  promptTokensDetails: [{ modality: 'TEXT', tokenCount: 120 }],
};

describe('Gemini response', () => {
  it('joins text, puts thoughts in reasoning_content and counts thinking as completion', () => {
    const { completion, usage } = geminiAdapter.chatResponse(
      {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [{ text: 'Weighing it up.', thought: true }, { text: 'The answer ' }, { text: 'is 4.', thoughtSignature: 'c2ln' }],
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: usageMeta,
        modelVersion: 'gemini-2.5-flash',
        responseId: 'abc',
      },
      ctx,
    );
    expect(completion).toEqual({
      id: 'chatcmpl-req1',
      object: 'chat.completion',
      created: 1700000000,
      model: 'smart',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'The answer is 4.', refusal: null, reasoning_content: 'Weighing it up.' },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 120,
        completion_tokens: 80,
        total_tokens: 200,
        prompt_tokens_details: { cached_tokens: 100 },
        completion_tokens_details: { reasoning_tokens: 50 },
      },
    });
    expect(usage).toEqual({ promptTokens: 120, completionTokens: 80, totalTokens: 200, cachedTokens: 100, reasoningTokens: 50 });
  });

  it('turns parallel function calls into tool_calls with stable ids and the thought signature', () => {
    const { completion } = geminiAdapter.chatResponse(
      {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'c2lnMQ==' },
                { functionCall: { name: 'get_weather', args: { city: 'Tokyo' } } },
                { functionCall: { name: 'now' } },
              ],
            },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
      },
      ctx,
    );
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [
          {
            id: 'call_req1_0',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            extra_content: { google: { thought_signature: 'c2lnMQ==' } },
          },
          { id: 'call_req1_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
          { id: 'call_req1_2', type: 'function', function: { name: 'now', arguments: '{}' } },
        ],
      },
      logprobs: null,
      finish_reason: 'tool_calls',
    });
  });

  it('keeps an id Gemini gave', () => {
    const { completion } = geminiAdapter.chatResponse(
      { candidates: [{ content: { parts: [{ functionCall: { id: 'fc-9', name: 'f', args: {} } }] }, finishReason: 'STOP' }] },
      ctx,
    );
    expect(completion.choices[0].message.tool_calls?.[0].id).toBe('fc-9');
  });

  it.each([
    ['STOP', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'],
    ['BLOCKLIST', 'content_filter'],
    ['SPII', 'content_filter'],
    ['OTHER', 'stop'],
    ['MALFORMED_FUNCTION_CALL', 'stop'],
  ])('finishReason %s → %s', (reason, expected) => {
    const { completion } = geminiAdapter.chatResponse({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: reason }] }, ctx);
    expect(completion.choices[0].finish_reason).toBe(expected);
  });

  it.each([
    [
      { blockReason: 'SAFETY', safetyRatings },
      'The provider (gemini) blocked the prompt: SAFETY (HARM_CATEGORY_HARASSMENT: MEDIUM, HARM_CATEGORY_DANGEROUS_CONTENT: HIGH)',
    ],
    [{ blockReason: 'PROHIBITED_CONTENT' }, 'The provider (gemini) blocked the prompt: PROHIBITED_CONTENT'],
    [
      { blockReason: 'MODEL_ARMOR', blockReasonMessage: 'Blocked by the Model Armor floor setting.' },
      'The provider (gemini) blocked the prompt: MODEL_ARMOR. Blocked by the Model Armor floor setting.',
    ],
    [{ blockReason: 'OTHER', safetyRatings: [] }, 'The provider (gemini) blocked the prompt: OTHER'],
  ])('refuses a blocked prompt (%j) with a 400 content_filter naming the reason, billed for the prompt', (promptFeedback, message) => {
    const { usage, refused } = geminiAdapter.chatResponse({ promptFeedback, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 } }, ctx);
    expect(refused).toMatchObject({ status: 400, kind: 'content_policy', message });
    expect(wire(refused!).error).toEqual({ message, type: 'invalid_request_error', code: 'content_filter', param: 'messages' });
    expect(usage?.promptTokens).toBe(9);
  });

  it('explains a filter stop in the refusal: the reason, the ratings that blocked it and the finish message', () => {
    const { completion, refused } = geminiAdapter.chatResponse(
      {
        candidates: [
          {
            content: { parts: [{ text: 'Partial' }] },
            finishReason: 'SPII',
            finishMessage: 'Sensitive personal information.',
            safetyRatings: [...safetyRatings, { category: 'HARM_CATEGORY_HATE_SPEECH', probability: 'LOW', blocked: true }],
          },
        ],
      },
      ctx,
    );
    expect(refused).toBeUndefined();
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'content_filter',
      message: {
        content: 'Partial',
        refusal: 'The provider (gemini) stopped the answer: SPII (HARM_CATEGORY_HATE_SPEECH: LOW). Sensitive personal information.',
      },
    });
    const normal = geminiAdapter.chatResponse({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: 'STOP', safetyRatings }] }, ctx);
    expect(normal.completion.choices[0].message.refusal).toBeNull();
  });

  it('bounds what it repeats of a hostile block: reason, message and ratings', () => {
    const huge = 'x'.repeat(1_000_000);
    const ratings = Array.from({ length: 10_000 }, () => ({ category: huge, probability: 'HIGH' }));
    const { refused } = geminiAdapter.chatResponse({ promptFeedback: { blockReason: huge, blockReasonMessage: huge, safetyRatings: ratings } }, ctx);
    expect(refused?.message.length).toBeLessThan(2000);
  });

  it('returns one choice per candidate and no usage when none was sent', () => {
    const { completion, usage } = geminiAdapter.chatResponse(
      {
        candidates: [
          { index: 0, content: { parts: [{ text: 'A' }] }, finishReason: 'STOP' },
          { index: 1, content: { parts: [{ text: 'B' }] }, finishReason: 'MAX_TOKENS' },
        ],
      },
      ctx,
    );
    expect(completion.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'A', 'stop'],
      [1, 'B', 'length'],
    ]);
    expect(usage).toBeNull();
    expect(completion.usage).toBeUndefined();
  });
});

// ---------------------------------------------------------------- streams

const chunkBase = { modelVersion: 'gemini-2.5-flash', responseId: 'resp-1' };
const textStream = sse(
  {
    candidates: [{ content: { parts: [{ text: 'Bonjour' }], role: 'model' }, index: 0 }],
    usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 },
    ...chunkBase,
  },
  {
    candidates: [{ content: { parts: [{ text: ', ça va ? 🙂' }], role: 'model' }, index: 0 }],
    usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 },
    ...chunkBase,
  },
  {
    candidates: [{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 8, candidatesTokenCount: 7, totalTokenCount: 15 },
    ...chunkBase,
  },
);
const toolStream = sse(
  { candidates: [{ content: { parts: [{ text: 'Let me check.' }], role: 'model' }, index: 0 }], ...chunkBase },
  {
    candidates: [
      {
        content: {
          parts: [
            { functionCall: { name: 'get_weather', args: { city: 'Paris', unit: 'celsius' } }, thoughtSignature: 'c2lnMQ==' },
            { functionCall: { name: 'get_weather', args: { city: 'Tokyo' } } },
          ],
          role: 'model',
        },
        index: 0,
      },
    ],
    ...chunkBase,
  },
  {
    candidates: [{ content: { parts: [{ functionCall: { name: 'now', args: {} } }], role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 60, candidatesTokenCount: 40, totalTokenCount: 100 },
    ...chunkBase,
  },
);
const thinkingStream = sse(
  { candidates: [{ content: { parts: [{ text: '**Planning** the sum', thought: true }], role: 'model' }, index: 0 }], ...chunkBase },
  { candidates: [{ content: { parts: [{ text: '. Done.', thought: true }], role: 'model' }, index: 0 }], ...chunkBase },
  {
    candidates: [{ content: { parts: [{ text: '4', thoughtSignature: 'c2ln' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
    usageMetadata: { promptTokenCount: 120, candidatesTokenCount: 1, totalTokenCount: 171, cachedContentTokenCount: 100, thoughtsTokenCount: 50 },
    ...chunkBase,
  },
);
const safetyStream = sse(
  { candidates: [{ content: { parts: [{ text: 'Here is how' }], role: 'model' }, index: 0 }], ...chunkBase },
  {
    candidates: [
      {
        content: { parts: [], role: 'model' },
        finishReason: 'SAFETY',
        index: 0,
        safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }],
      },
    ],
    usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 },
    ...chunkBase,
  },
);
const blockedStream = sse({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 5, totalTokenCount: 5 }, ...chunkBase });
const twoCandidates = sse(
  {
    candidates: [
      { content: { parts: [{ text: 'A' }], role: 'model' }, index: 0 },
      { content: { parts: [{ text: 'B' }], role: 'model' }, index: 1 },
    ],
    ...chunkBase,
  },
  {
    candidates: [
      { content: { parts: [{ text: '!' }], role: 'model' }, finishReason: 'STOP', index: 0 },
      { content: { parts: [{ text: '?' }], role: 'model' }, finishReason: 'MAX_TOKENS', index: 1 },
    ],
    usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 },
    ...chunkBase,
  },
);

describe('Gemini stream', () => {
  it('streams text and ends cleanly at EOF after the finishReason, with the last usage', async () => {
    const { chunks, steps } = translate(textStream);
    expect(steps.map((s) => s.done ?? false)).toEqual([false, false, false, true]);
    expect(steps[3].usage).toEqual({ promptTokens: 8, completionTokens: 7, totalTokens: 15, cachedTokens: 0, reasoningTokens: 0 });
    expect(chunks[0]).toEqual({
      id: 'chatcmpl-req1',
      object: 'chat.completion.chunk',
      created: 1700000000,
      model: 'smart',
      choices: [{ index: 0, delta: { role: 'assistant', content: 'Bonjour' }, logprobs: null, finish_reason: null }],
    });
    expect(chunks[chunks.length - 1]).toEqual({
      id: 'chatcmpl-req1',
      object: 'chat.completion.chunk',
      created: 1700000000,
      model: 'smart',
      choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }],
    });
    // The client encoder writes the usage chunk; the translator's chunks never carry usage.
    expect(chunks.some((c) => 'usage' in c)).toBe(false);
    const final = await accumulate(chunks);
    expect(final.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: 'Bonjour, ça va ? 🙂', refusal: null }, logprobs: null, finish_reason: 'stop' },
    ]);
  });

  it('streams function calls whole, with increasing indexes, ids, names and full arguments', async () => {
    const { chunks, steps } = translate(toolStream);
    const toolDeltas = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    expect(toolDeltas.map((d) => d.index)).toEqual([0, 1, 2]);
    expect(steps.map((s) => s.done ?? false)).toEqual([false, false, false, true]);
    expect(steps[3].usage).toMatchObject({ promptTokens: 60, completionTokens: 40, totalTokens: 100 });
    const final = await accumulate(chunks);
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    expect(final.choices[0].message).toEqual({
      role: 'assistant',
      content: 'Let me check.',
      refusal: null,
      tool_calls: [
        {
          id: 'call_req1_0',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
          extra_content: { google: { thought_signature: 'c2lnMQ==' } },
        },
        { id: 'call_req1_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' } },
        { id: 'call_req1_2', type: 'function', function: { name: 'now', arguments: '{}' } },
      ],
    });
  });

  it('gives the same tool calls streamed and unstreamed, so a replayed history is identical', async () => {
    const streamed = await accumulate(translate(toolStream).chunks);
    const events = toolStream
      .split('\r\n\r\n')
      .filter(Boolean)
      .map((e) => JSON.parse(e.slice('data: '.length)));
    const parts = events.flatMap((e) => e.candidates[0].content.parts);
    const whole = geminiAdapter.chatResponse({ candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP' }] }, ctx).completion;
    expect(streamed.choices[0].message.tool_calls).toEqual(whole.choices[0].message.tool_calls);
    expect(streamed.choices[0].message.content).toBe(whole.choices[0].message.content);
  });

  it('streams thoughts as reasoning_content and counts thinking tokens as completion', async () => {
    const { chunks, steps } = translate(thinkingStream);
    const reasoning = chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? '').join('');
    expect(reasoning).toBe('**Planning** the sum. Done.');
    const final = await accumulate(chunks);
    expect(final.choices[0].message.content).toBe('4');
    expect(steps[3]).toEqual({
      chunks: [],
      done: true,
      usage: { promptTokens: 120, completionTokens: 51, totalTokens: 171, cachedTokens: 100, reasoningTokens: 50 },
    });
  });

  it('ends a stream stopped by the safety filter with content_filter, the filter’s explanation as the refusal', async () => {
    const { steps, chunks } = translate(safetyStream);
    expect(steps[2].done).toBe(true);
    const final = await accumulate(chunks);
    expect(final.choices[0]).toMatchObject({
      finish_reason: 'content_filter',
      message: { content: 'Here is how', refusal: 'The provider (gemini) stopped the answer: SAFETY (HARM_CATEGORY_DANGEROUS_CONTENT: HIGH)' },
    });
  });

  it('refuses a blocked prompt: no chunks, no clean end, the error and the prompt’s usage', () => {
    const { steps, chunks } = translate(blockedStream);
    expect(chunks).toEqual([]);
    expect(steps[0].refused).toMatchObject({
      status: 400,
      kind: 'content_policy',
      code: 'content_filter',
      message: 'The provider (gemini) blocked the prompt: PROHIBITED_CONTENT',
    });
    expect(steps[0].usage?.promptTokens).toBe(5);
    expect(steps.some((s) => s.done)).toBe(false);
  });

  it('keeps several candidates apart and ends cleanly only when all have finished', async () => {
    const { steps, chunks } = translate(twoCandidates);
    expect(steps.map((s) => s.done ?? false)).toEqual([false, false, true]);
    const final = await accumulate(chunks);
    expect(final.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'A!', 'stop'],
      [1, 'B?', 'length'],
    ]);
  });

  it.each([
    ['before its finishReason', textStream.slice(0, textStream.lastIndexOf('data:'))],
    [
      'while one of two candidates is unfinished',
      sse({
        candidates: [
          { content: { parts: [{ text: 'A' }] }, index: 0, finishReason: 'STOP' },
          { content: { parts: [{ text: 'B' }] }, index: 1 },
        ],
      }),
    ],
  ])('does not call a stream cut %s a clean end', (_name, cut) => {
    expect(translate(cut).steps.some((s) => s.done)).toBe(false);
  });

  it('reports an error event inside the stream', () => {
    const { steps } = translate(
      sse(
        { candidates: [{ content: { parts: [{ text: 'Hi' }] } }] },
        { error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } },
      ),
    );
    // The error that status would have been over HTTP (mapGeminiError), so the relay retries and answers it alike.
    expect(steps[1].error).toEqual({
      status: 503,
      message: 'The provider (gemini) is unavailable: The model is overloaded. Please try again later.',
      code: 'upstream_unavailable',
      param: null,
      headers: {},
      kind: 'server',
    });
    expect(steps[1].done).toBeUndefined();
  });

  it.each([
    ['text', textStream],
    ['function calls', toolStream],
    ['thinking', thinkingStream],
    ['safety', safetyStream],
    ['two candidates', twoCandidates],
  ])('gives identical chunks whatever byte the %s stream is cut at', (_name, transcript) => {
    const whole = JSON.stringify(translate(transcript).chunks);
    const length = Buffer.byteLength(transcript);
    for (let cut = 1; cut < length; cut++) {
      const pieces = JSON.stringify(translate(transcript, [cut]).chunks);
      if (pieces !== whole) throw new Error(`cut at byte ${cut} changed the result`);
    }
    // And byte by byte, every boundary at once.
    expect(
      JSON.stringify(
        translate(
          transcript,
          Array.from({ length: length - 1 }, (_, i) => i + 1),
        ).chunks,
      ),
    ).toBe(whole);
  });
});

// ---------------------------------------------------------------- errors

const googleError = (code: number, status: string, message: string, details?: unknown[]) =>
  JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } });

describe('Gemini errors', () => {
  it.each([
    [
      'invalid argument',
      400,
      googleError(400, 'INVALID_ARGUMENT', "Invalid value at 'contents[0].parts[0]'"),
      {},
      400,
      'caller',
      'INVALID_ARGUMENT',
      'invalid_request_error',
      undefined,
    ],
    [
      'token limit',
      400,
      googleError(400, 'INVALID_ARGUMENT', 'The input token count (1200293) exceeds the maximum number of tokens allowed (1048576).'),
      {},
      400,
      'context_window',
      'context_length_exceeded',
      'invalid_request_error',
      undefined,
    ],
    [
      'bad API key (a 400 at Google)',
      400,
      googleError(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
      ]),
      {},
      502,
      'auth',
      'upstream_auth_failed',
      'api_error',
      undefined,
    ],
    [
      'permission denied',
      403,
      googleError(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers."),
      {},
      502,
      'auth',
      'upstream_auth_failed',
      'api_error',
      undefined,
    ],
    [
      'unauthenticated',
      401,
      googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'),
      {},
      502,
      'auth',
      'upstream_auth_failed',
      'api_error',
      undefined,
    ],
    [
      'quota with RetryInfo',
      429,
      googleError(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota.', [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '38s' },
      ]),
      {},
      429,
      'rate_limit',
      'rate_limit_exceeded',
      'rate_limit_error',
      '38',
    ],
    [
      'quota with a fractional delay',
      429,
      googleError(429, 'RESOURCE_EXHAUSTED', 'Slow down.', [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.5s' }]),
      {},
      429,
      'rate_limit',
      'rate_limit_exceeded',
      'rate_limit_error',
      '1',
    ],
    [
      'quota with only a header',
      429,
      googleError(429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'),
      { 'retry-after': '7' },
      429,
      'rate_limit',
      'rate_limit_exceeded',
      'rate_limit_error',
      '7',
    ],
    ['internal', 500, googleError(500, 'INTERNAL', 'An internal error has occurred.'), {}, 502, 'server', 'upstream_error', 'api_error', undefined],
    [
      'overloaded',
      503,
      googleError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'),
      {},
      503,
      'server',
      'upstream_unavailable',
      'api_error',
      undefined,
    ],
    [
      'deadline',
      504,
      googleError(504, 'DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'),
      {},
      504,
      'timeout',
      'upstream_timeout',
      'timeout_error',
      undefined,
    ],
    [
      'unknown model',
      404,
      googleError(404, 'NOT_FOUND', 'models/gemini-9 is not found for API version v1beta, or is not supported for generateContent.'),
      {},
      404,
      'caller',
      'model_not_found',
      'invalid_request_error',
      undefined,
    ],
    [
      'unsupported region',
      400,
      googleError(400, 'FAILED_PRECONDITION', 'User location is not supported for the API use.'),
      {},
      502,
      'server',
      'upstream_error',
      'api_error',
      undefined,
    ],
    [
      'array-wrapped body',
      400,
      `[${googleError(400, 'INVALID_ARGUMENT', 'Bad field')}]`,
      {},
      400,
      'caller',
      'INVALID_ARGUMENT',
      'invalid_request_error',
      undefined,
    ],
    ['not JSON', 502, '<html>Bad Gateway</html>', {}, 502, 'server', 'upstream_error', 'api_error', undefined],
  ])('%s', (_name, status, body, headers, outStatus, kind, code, type, retryAfter) => {
    const mapped = geminiAdapter.mapError(status, body, headers as Record<string, string>);
    expect(mapped.status).toBe(outStatus);
    expect(mapped.kind).toBe(kind);
    expect(wire(mapped).error.code).toBe(code);
    expect(wire(mapped).error.type).toBe(type);
    expect(mapped.headers['retry-after']).toBe(retryAfter);
    if (kind === 'caller' || kind === 'context_window' || kind === 'rate_limit')
      expect(wire(mapped).error.message).toBe(JSON.parse(body.replace(/^\[|\]$/g, '')).error.message);
  });
});
