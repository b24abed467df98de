/**
 * The Google GenAI ingress for translated targets: GenerateContentRequest in, canonical chat
 * request out (and on through the Anthropic and OpenAI adapters), canonical completions and
 * chunks back as GenerateContentResponse JSON and `alt=sse` events, read back with the official
 * @google/genai SDK (served from a local socket, as it would read the gateway).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { errorBody, gatewayError } from '../../../../lib/errors';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../../../lib/openai-types';
import { anthropicAdapter } from '../../../../sidecars/relay/adapters/anthropic';
import { openaiAdapter } from '../../../../sidecars/relay/adapters/openai/chat';
import { isRefused } from '../../../../sidecars/relay/adapters/types';
import { anthropicRequestForTarget } from '../../../../sidecars/relay/client-formats/anthropic/request';
import {
  chatCompletionToGoogle,
  GoogleStreamEncoder,
  geminiSchemaToJsonSchema,
  generateContentToChat,
  googleClientFormat,
} from '../../../../sidecars/relay/client-formats/google';
import type { TokenUsage } from '../../../../sidecars/relay/usage';
import { planTarget } from '../adapters/adapter-helpers';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const CALL = { model: 'gpt-4o', stream: false };

function toChat(body: Record<string, unknown>, call = CALL): ChatRequest {
  const out = generateContentToChat(body, call);
  if (!out.ok) throw new Error(out.refusal.message);
  return out.request;
}

const user = (...parts: unknown[]) => ({ role: 'user', parts });
const model = (...parts: unknown[]) => ({ role: 'model', parts });

describe('GenerateContentRequest → canonical chat request', () => {
  it('system instruction, turns, sampling and limits, the model and streaming from the path', () => {
    const request = toChat(
      {
        systemInstruction: { parts: [{ text: 'Be ' }, { text: 'brief.' }] },
        contents: [{ parts: [{ text: 'Hi' }] }, model({ text: 'Let me think', thought: true }, { text: 'Hello' }), user({ text: 'Bye' })],
        generationConfig: {
          temperature: 0.5,
          topP: 0.9,
          topK: 40,
          maxOutputTokens: 300,
          stopSequences: ['END'],
          candidateCount: 2,
          seed: 7,
          presencePenalty: 0.5,
          frequencyPenalty: -0.5,
          thinkingConfig: { thinkingBudget: 10000, includeThoughts: true },
        },
        safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
      },
      { model: 'smart', stream: true },
    );
    expect(request).toEqual({
      model: 'smart',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        // Thought summaries are Gemini's own: they are not replayed to other models.
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: [{ type: 'text', text: 'Bye' }] },
      ],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      max_completion_tokens: 300,
      stop: ['END'],
      n: 2,
      seed: 7,
      presence_penalty: 0.5,
      frequency_penalty: -0.5,
      reasoning_effort: 'medium',
    });
  });

  it('function calls get ids (the client’s, else call_<n>) and responses find their call by id, else by name in order', () => {
    const request = toChat({
      contents: [
        user({ text: 'Weather in Paris and Rome, and the time?' }),
        model(
          { functionCall: { name: 'weather', args: { city: 'Paris' } }, thoughtSignature: 'c2ln' },
          { functionCall: { name: 'weather', args: { city: 'Rome' } } },
          { functionCall: { id: 'fc-time', name: 'time' } },
        ),
        user(
          { functionResponse: { id: 'fc-time', name: 'time', response: { now: '12:00' } } },
          { functionResponse: { name: 'weather', response: { temp: 21 } } },
          { functionResponse: { name: 'weather', response: { temp: 25 } } },
          { text: 'Thanks' },
        ),
        model({ functionCall: { name: 'weather', args: {} } }),
        user({ functionResponse: { name: 'weather', response: { temp: 0 } } }),
      ],
    });
    expect(request.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_0', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
          { id: 'fc-time', type: 'function', function: { name: 'time', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'fc-time', content: '{"now":"12:00"}' },
      { role: 'tool', tool_call_id: 'call_0', content: '{"temp":21}' },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp":25}' },
      { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_3', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_3', content: '{"temp":0}' },
    ]);
  });

  it('media: images inline and at URLs, PDFs, plain text, WAV and MP3 audio', () => {
    const request = toChat({
      contents: [
        user(
          { inlineData: { mimeType: 'image/png', data: PNG } },
          { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/a.jpg' } },
          { inlineData: { mimeType: 'application/pdf', data: 'JVBERi0=' } },
          { inlineData: { mimeType: 'text/plain', data: Buffer.from('notes').toString('base64') } },
          { inlineData: { mimeType: 'audio/mpeg', data: 'SUQz' } },
        ),
      ],
    });
    expect(request.messages[0].content).toEqual([
      { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
      { type: 'image_url', image_url: { url: 'https://example.com/a.jpg' } },
      { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=' } },
      { type: 'text', text: 'notes' },
      { type: 'input_audio', input_audio: { data: 'SUQz', format: 'mp3' } },
    ]);
  });

  it('declarations become function tools (Gemini schemas as JSON Schema), functionCallingConfig a tool_choice, JSON output a response_format', () => {
    const declarations = [
      { name: 'book', description: 'Book a room', parameters: { type: 'OBJECT', properties: { nights: { type: 'INTEGER' } }, required: ['nights'] } },
      { name: 'ping', parametersJsonSchema: { type: 'object', properties: { at: { type: 'string', format: 'date-time' } } } },
      { name: 'noop' },
    ];
    const request = toChat({
      contents: [user({ text: 'Book it' })],
      tools: [{ functionDeclarations: declarations }],
      toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      generationConfig: { responseMimeType: 'application/json', responseSchema: { type: 'ARRAY', items: { type: 'STRING', nullable: true } } },
    });
    expect(request.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'book',
          description: 'Book a room',
          parameters: { type: 'object', properties: { nights: { type: 'integer' } }, required: ['nights'] },
        },
      },
      { type: 'function', function: { name: 'ping', parameters: { type: 'object', properties: { at: { type: 'string', format: 'date-time' } } } } },
      { type: 'function', function: { name: 'noop', parameters: { type: 'object', properties: {} } } },
    ]);
    expect(request.tool_choice).toBe('required');
    // Only the allowed functions are offered; one alone is named.
    const allowing = (...allowedFunctionNames: string[]) =>
      toChat({
        contents: [user({ text: 'x' })],
        tools: [{ functionDeclarations: declarations }],
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames } },
      });
    const one = allowing('book');
    expect([one.tools?.map((t) => t.function.name), one.tool_choice]).toEqual([['book'], { type: 'function', function: { name: 'book' } }]);
    const two = allowing('ping', 'noop');
    expect([two.tools?.map((t) => t.function.name), two.tool_choice]).toEqual([['ping', 'noop'], 'required']);
    expect(request.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'response', schema: { type: 'array', items: { type: ['string', 'null'] } } },
    });
    const modes = ['AUTO', 'VALIDATED', 'NONE', 'ANY'].map(
      (mode) => toChat({ ...user, contents: [user({ text: 'x' })], toolConfig: { functionCallingConfig: { mode } } }).tool_choice,
    );
    expect(modes).toEqual(['auto', 'auto', 'none', 'required']);
    expect(toChat({ contents: [user({ text: 'x' })], generationConfig: { responseMimeType: 'application/json' } }).response_format).toEqual({
      type: 'json_object',
    });
  });

  it('Gemini schemas: int64 bounds written as strings, Gemini-only keywords dropped, property names kept as data', () => {
    const schema = geminiSchemaToJsonSchema(
      JSON.parse(
        '{"type":"OBJECT","propertyOrdering":["a"],"example":{},"properties":{"__proto__":{"type":"STRING","maxLength":"5"},"a":{"type":"ARRAY","minItems":"1","items":{"anyOf":[{"type":"NUMBER"},{"type":"TYPE_UNSPECIFIED"}]}}}}',
      ),
    );
    expect(JSON.stringify(schema)).toBe(
      '{"type":"object","properties":{"__proto__":{"type":"string","maxLength":5},"a":{"type":"array","minItems":1,"items":{"anyOf":[{"type":"number"},{}]}}}}',
    );
    expect(Object.getPrototypeOf(schema.properties)).toBe(Object.prototype);
  });

  it.each([
    ['Google Search', { tools: [{ googleSearch: {} }] }, 'tools[0].googleSearch'],
    ['a context cache', { cachedContent: 'cachedContents/x' }, 'cachedContent'],
    [
      'a Files API URI',
      { contents: [user({ fileData: { mimeType: 'application/pdf', fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/x' } })] },
      'contents[0].parts[0].fileData',
    ],
    ['inline video', { contents: [user({ inlineData: { mimeType: 'video/mp4', data: 'AAAA' } })] }, 'contents[0].parts[0].inlineData.mimeType'],
    ['code execution results in history', { contents: [model({ executableCode: { language: 'PYTHON', code: '1' } })] }, 'contents[0].parts[0]'],
    ['image output', { generationConfig: { responseModalities: ['TEXT', 'IMAGE'] } }, 'generationConfig.responseModalities'],
    ['enum output', { generationConfig: { responseMimeType: 'text/x.enum' } }, 'generationConfig.responseMimeType'],
    ['a response to no call', { contents: [user({ functionResponse: { name: 'f', response: {} } })] }, 'contents[0].parts[0]'],
  ])('refuses what only Gemini can serve: %s', (_what, extra, param) => {
    const out = generateContentToChat({ contents: [user({ text: 'hi' })], ...extra }, CALL);
    expect(out).toMatchObject({ ok: false, refusal: { status: 400, code: 'unsupported_for_provider', param } });
    if (!out.ok) expect(out.refusal.message).toMatch(/only Gemini models can serve it$/);
  });

  it('an invalid request is refused with the validator’s words and code', () => {
    const out = generateContentToChat({ contents: [] }, CALL);
    expect(out).toMatchObject({
      ok: false,
      refusal: { status: 400, code: 'empty_array', param: 'contents', message: '* GenerateContentRequest.contents: must not be empty' },
    });
  });

  it('the translation builds for Anthropic (topK kept) and for OpenAI (topK stripped) targets', () => {
    const request = toChat({
      systemInstruction: { parts: [{ text: 'Sys' }] },
      contents: [
        user({ text: 'Hi' }),
        model({ functionCall: { name: 'f', args: { a: 1 } } }),
        user({ functionResponse: { name: 'f', response: { ok: true } } }),
      ],
      tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object', properties: { a: { type: 'integer' } } } }] }],
      generationConfig: { topK: 5, maxOutputTokens: 100 },
    });
    const anthropic = anthropicAdapter.chatRequest(planTarget('anthropic', 'https://api.anthropic.com', 'claude-sonnet-4-5'), request, 'k');
    if (isRefused(anthropic)) throw new Error(anthropic.message);
    expect(JSON.parse(anthropic.body)).toMatchObject({
      system: [{ type: 'text', text: 'Sys' }],
      top_k: 5,
      max_tokens: 100,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'call_0', name: 'f', input: { a: 1 } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_0' }] },
      ],
    });
    const openai = openaiAdapter.chatRequest(planTarget('openai', 'https://api.openai.com/v1', 'gpt-4o'), anthropicRequestForTarget(request, 'openai'), 'k');
    if (isRefused(openai)) throw new Error(openai.message);
    expect(JSON.parse(openai.body).top_k).toBeUndefined();
  });
});

const USAGE: TokenUsage = { promptTokens: 20, completionTokens: 9, totalTokens: 29, cachedTokens: 4, reasoningTokens: 3 };
const CTX = { modelVersion: 'claude-sonnet-4-5', responseId: 'req-1' };

function completion(
  message: ChatCompletion['choices'][number]['message'],
  finish: ChatCompletion['choices'][number]['finish_reason'],
  index = 0,
): ChatCompletion {
  return {
    id: 'chatcmpl-req-1',
    object: 'chat.completion',
    created: 1,
    model: 'claude-sonnet-4-5',
    choices: [{ index, message, logprobs: null, finish_reason: finish }],
  };
}

/** The answer's text as the SDK's `text` reads it, without its warning about function-call parts. */
function answerText(response: GenerateContentResponse): string {
  return (response.candidates?.[0]?.content?.parts ?? [])
    .filter((p) => typeof p.text === 'string' && !p.thought)
    .map((p) => p.text)
    .join('');
}

/** The official SDK against a local socket that answers every request with `body`. */
async function withSdk<T>(body: string, contentType: string, use: (ai: GoogleGenAI) => Promise<T>): Promise<T> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': contentType });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const ai = new GoogleGenAI({ apiKey: 'k', httpOptions: { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } });
    return await use(ai);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('canonical completion → GenerateContentResponse', () => {
  it('thoughts, text and calls as parts, the finish reason and usage in Gemini’s terms; the SDK reads them', async () => {
    const answer = chatCompletionToGoogle(
      completion(
        {
          role: 'assistant',
          content: 'Checking.',
          refusal: null,
          reasoning_content: 'Need weather.',
          tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
        },
        'tool_calls',
      ),
      CTX,
      USAGE,
    );
    expect(answer).toEqual({
      candidates: [
        {
          content: {
            parts: [
              { text: 'Need weather.', thought: true },
              { text: 'Checking.' },
              { functionCall: { id: 'toolu_1', name: 'weather', args: { city: 'Paris' } } },
            ],
            role: 'model',
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 20, candidatesTokenCount: 6, totalTokenCount: 29, cachedContentTokenCount: 4, thoughtsTokenCount: 3 },
      modelVersion: 'claude-sonnet-4-5',
      responseId: 'req-1',
    });
    const read = await withSdk(JSON.stringify(answer), 'application/json', (ai) => ai.models.generateContent({ model: 'm', contents: 'x' }));
    expect(answerText(read)).toBe('Checking.');
    expect(read.functionCalls).toEqual([{ id: 'toolu_1', name: 'weather', args: { city: 'Paris' } }]);
    expect(read.usageMetadata?.thoughtsTokenCount).toBe(3);
    expect(read.responseId).toBe('req-1');
  });

  it.each([
    ['length', 'MAX_TOKENS'],
    ['content_filter', 'SAFETY'],
    ['stop', 'STOP'],
  ] as const)('%s → %s; an empty answer is one empty text part', (finish, reason) => {
    const answer = chatCompletionToGoogle(completion({ role: 'assistant', content: '', refusal: null }, finish), CTX, null);
    expect(answer.candidates[0]).toEqual({ content: { parts: [{ text: '' }], role: 'model' }, finishReason: reason, index: 0 });
    expect(answer.usageMetadata).toBeUndefined();
  });

  it('the client format renders errors in Google’s shape and needs alt=sse to stream', () => {
    const streaming = googleClientFormat({ model: 'm', stream: true }, '');
    expect(streaming.intent?.()).toMatchObject({ ok: false, error: { status: 400, code: 'alt_sse_required' } });
    expect(googleClientFormat({ model: 'm', stream: true }, 'alt=sse').intent?.()).toEqual({ ok: true, value: { stream: true, wantsStreamUsage: false } });
    expect(googleClientFormat({ model: 'm', stream: false }, '').intent?.()).toEqual({ ok: true, value: { stream: false, wantsStreamUsage: false } });
    const encoder = streaming.streamEncoder({ id: 'chatcmpl-r', model: 'm', created: 1, wantsUsage: false });
    expect(encoder.error(gatewayError(502, 'cut', 'upstream_stream_interrupted'))).toBe(
      `data: ${JSON.stringify(errorBody('google', gatewayError(502, 'cut', 'upstream_stream_interrupted')))}\n\n`,
    );
  });
});

const chunk = (
  index: number,
  delta: ChatCompletionChunk['choices'][number]['delta'],
  finish: ChatCompletionChunk['choices'][number]['finish_reason'] = null,
): ChatCompletionChunk => ({
  id: 'chatcmpl-req-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o',
  choices: [{ index, delta, logprobs: null, finish_reason: finish }],
});

describe('canonical chunks → alt=sse events', () => {
  it('text as it comes, each call whole at its candidate’s end (late fragments included), finish reasons and usage last', () => {
    const encoder = new GoogleStreamEncoder({ modelVersion: 'gpt-4o', responseId: 'r1' });
    const out = [
      encoder.push(chunk(0, { role: 'assistant', content: '' })),
      encoder.push(chunk(0, { reasoning_content: 'Hmm.' })),
      encoder.push(chunk(0, { content: 'Hel' })),
      encoder.push(chunk(0, { content: 'lo' })),
      encoder.push(chunk(0, { tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'weather', arguments: '{"ci' } }] })),
      encoder.push(chunk(0, { tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'time', arguments: '{}' } }] })),
      encoder.push(chunk(0, { tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] })),
      encoder.push(chunk(0, {}, 'tool_calls')),
      encoder.push(chunk(1, { content: 'Second' }, 'length')),
      encoder.finish({ promptTokens: 5, completionTokens: 7, totalTokens: 12, cachedTokens: 0, reasoningTokens: 0 }),
      encoder.push(chunk(0, { content: 'after the end' })),
    ];
    const events = out.filter((e) => e !== '').map((e) => JSON.parse(e.replace(/^data: /, '')) as Record<string, unknown>);
    const base = { modelVersion: 'gpt-4o', responseId: 'r1' };
    expect(events).toEqual([
      { candidates: [{ content: { parts: [{ text: 'Hmm.', thought: true }], role: 'model' }, index: 0 }], ...base },
      { candidates: [{ content: { parts: [{ text: 'Hel' }], role: 'model' }, index: 0 }], ...base },
      { candidates: [{ content: { parts: [{ text: 'lo' }], role: 'model' }, index: 0 }], ...base },
      {
        candidates: [
          {
            content: {
              parts: [{ functionCall: { id: 'call_a', name: 'weather', args: { city: 'Paris' } } }, { functionCall: { id: 'call_b', name: 'time', args: {} } }],
              role: 'model',
            },
            index: 0,
          },
        ],
        ...base,
      },
      { candidates: [{ content: { parts: [{ text: 'Second' }], role: 'model' }, index: 1 }], ...base },
      {
        candidates: [
          { content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 },
          { content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'MAX_TOKENS', index: 1 },
        ],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 7, totalTokenCount: 12 },
        ...base,
      },
    ]);
    expect(out.every((e) => e === '' || /^data: [^\n]*\n\n$/.test(e))).toBe(true);
  });

  it('the SDK streams the text and the function calls and reads the usage', async () => {
    const encoder = new GoogleStreamEncoder({ modelVersion: 'gpt-4o', responseId: 'r2' });
    const body = [
      encoder.push(chunk(0, { role: 'assistant', content: 'Sure' })),
      encoder.push(chunk(0, { tool_calls: [{ index: 0, id: 'call_x', type: 'function', function: { name: 'lookup', arguments: '{"q":' } }] })),
      encoder.push(chunk(0, { tool_calls: [{ index: 0, function: { arguments: '"cats"}' } }] })),
      encoder.push(chunk(0, {}, 'tool_calls')),
      encoder.finish({ promptTokens: 3, completionTokens: 4, totalTokens: 7, cachedTokens: 0, reasoningTokens: 0 }),
    ].join('');
    const read = await withSdk(body, 'text/event-stream', async (ai) => {
      let text = '';
      const calls: unknown[] = [];
      let usage: unknown;
      for await (const response of await ai.models.generateContentStream({ model: 'm', contents: 'x' })) {
        text += answerText(response);
        calls.push(...(response.functionCalls ?? []));
        usage = response.usageMetadata ?? usage;
      }
      return { text, calls, usage };
    });
    expect(read).toEqual({
      text: 'Sure',
      calls: [{ id: 'call_x', name: 'lookup', args: { q: 'cats' } }],
      usage: { promptTokenCount: 3, candidatesTokenCount: 4, totalTokenCount: 7 },
    });
  });

  it('an empty stream still ends with a candidate, its finish reason and the usage', () => {
    const encoder = new GoogleStreamEncoder({ modelVersion: 'm', responseId: 'r3' });
    const last = JSON.parse(encoder.finish(null).replace(/^data: /, '')) as { candidates: unknown[]; usageMetadata?: unknown };
    expect(last.candidates).toEqual([{ content: { parts: [{ text: '' }], role: 'model' }, finishReason: 'STOP', index: 0 }]);
    expect(last.usageMetadata).toBeUndefined();
    expect(encoder.errorEvent(gatewayError(502, 'late'))).toBe('');
  });
});
