// Forced tool calls and JSON answers in every dialect, unscripted: the official `openai`
// (OpenAI and Azure) and `@anthropic-ai/sdk` clients, raw HTTP for Gemini. Arguments and JSON
// are checked against their schemas with schema-check.ts; usage against the mock's tokenizer.

import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { AzureOpenAI } from 'openai';
import { countTokens, type MockProviders, mockDirective, startMockProviders } from './index';
import { schemaErrors } from './schema-check';
import { crlfSseData, rawRequest } from './test-helpers';

const KEY = 'sk-structured-0123456789';
let mock: MockProviders;
let openai: OpenAI;
let azure: AzureOpenAI;
let claude: Anthropic;

beforeAll(async () => {
  mock = await startMockProviders({ apiKey: KEY, defaults: { tokens: 8 } });
  openai = new OpenAI({ apiKey: KEY, baseURL: mock.baseUrls.openai, maxRetries: 0 });
  azure = new AzureOpenAI({ endpoint: mock.baseUrls.azure, apiKey: KEY, apiVersion: '2024-10-21', deployment: 'gpt-4o-prod', maxRetries: 0 });
  claude = new Anthropic({ apiKey: KEY, baseURL: mock.baseUrls.anthropic, maxRetries: 0 });
});
afterAll(() => mock.close());

const weather = {
  type: 'object',
  properties: {
    city: { type: 'string', minLength: 2 },
    unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
    when: { $ref: '#/$defs/slot' },
  },
  required: ['city', 'unit', 'days', 'when'],
  additionalProperties: false,
  $defs: {
    slot: {
      type: 'object',
      properties: { date: { type: 'string', format: 'date' }, hours: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 23 }, minItems: 1 } },
      required: ['date', 'hours'],
    },
  },
};
const person = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    age: { type: 'integer', minimum: 0, maximum: 120 },
    tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
  },
  required: ['name', 'age'],
  additionalProperties: false,
};
const fnTools: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: weather } },
  { type: 'function', function: { name: 'find_person', parameters: person } },
];
const schemaOf: Record<string, unknown> = { get_weather: weather, find_person: person };
const user = (text: string) => [{ role: 'user' as const, content: text }];

/** A call's arguments parse and satisfy its tool's schema. */
function expectValidCall(name: string, args: string) {
  const parsed = JSON.parse(args);
  expect(schemaErrors(parsed, schemaOf[name])).toEqual([]);
  return parsed;
}

describe('OpenAI chat completions', () => {
  test('a named function is called with schema-valid arguments; finish_reason stop, as OpenAI answers a forced name', async () => {
    const res = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: user('Weather in Paris?'),
      tools: fnTools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const [call] = res.choices[0].message.tool_calls ?? [];
    expect(res.choices[0].finish_reason).toBe('stop');
    expect(call.type === 'function' && call.function.name).toBe('get_weather');
    if (call.type !== 'function') throw new Error('not a function call');
    expectValidCall('get_weather', call.function.arguments);
    expect(res.usage?.completion_tokens).toBe(countTokens('get_weather') + countTokens(call.function.arguments));
    // Same request, same arguments; another prompt, other arguments.
    const again = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: user('Weather in Paris?'),
      tools: fnTools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(again.choices[0].message.tool_calls).toEqual([{ ...call, id: expect.any(String) }]);
  });

  test('"required", streamed: one of the tools, arguments valid once accumulated, usage consistent', async () => {
    const runner = openai.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: user('Find someone'),
      tools: fnTools,
      tool_choice: 'required',
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    const [call] = final.choices[0].message.tool_calls ?? [];
    expect(final.choices[0].finish_reason).toBe('tool_calls');
    if (call?.type !== 'function') throw new Error('no function call');
    expectValidCall(call.function.name, call.function.arguments);
    expect(final.usage?.completion_tokens).toBe(countTokens(call.function.name) + countTokens(call.function.arguments));
  });

  test('a forced function without parameters, or one the request never declared, is called with {}', async () => {
    for (const name of ['get_time', 'undeclared']) {
      const res = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: user('time?'),
        tools: [...fnTools, { type: 'function', function: { name: 'get_time' } }],
        tool_choice: { type: 'function', function: { name } },
      });
      expect(res.choices[0].message.tool_calls?.[0]).toMatchObject({ function: { name, arguments: '{}' } });
    }
  });

  test('"none" and "auto" answer text, as before', async () => {
    for (const tool_choice of ['none', 'auto'] as const) {
      const res = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: user('hi'), tools: fnTools, tool_choice });
      expect(res.choices[0].message.tool_calls).toBeUndefined();
      expect(res.choices[0].finish_reason).toBe('stop');
      expect(res.usage?.completion_tokens).toBe(8);
    }
  });

  test('JSON mode returns a JSON object; json_schema returns JSON matching the schema, streamed or not', async () => {
    const json = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: user('Describe a cat in JSON'),
      response_format: { type: 'json_object' },
    });
    const content = json.choices[0].message.content ?? '';
    expect(typeof JSON.parse(content)).toBe('object');
    expect(json.usage?.completion_tokens).toBe(countTokens(content));

    const response_format = { type: 'json_schema' as const, json_schema: { name: 'person', strict: true, schema: person } };
    const structured = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: user('Who?'), response_format });
    expect(schemaErrors(JSON.parse(structured.choices[0].message.content ?? ''), person)).toEqual([]);

    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: user('Who?'),
      response_format,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let completion = -1;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) completion = chunk.usage.completion_tokens;
    }
    expect(text).toBe(structured.choices[0].message.content);
    expect(completion).toBe(countTokens(text));
  });

  test('a script still decides: content or toolCalls win over tool_choice and response_format', async () => {
    const scripted = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: user(`x ${mockDirective({ content: 'plain words' })}`),
      tools: fnTools,
      tool_choice: 'required',
      response_format: { type: 'json_object' },
    });
    expect(scripted.choices[0].message).toMatchObject({ content: 'plain words' });
    const calls = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: user(`x ${mockDirective({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }] })}`),
      tools: fnTools,
      tool_choice: 'none',
    });
    expect(calls.choices[0].message.tool_calls?.[0]).toMatchObject({ function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } });
  });

  test('max_tokens cuts generated arguments with finish_reason length, never more tokens than allowed', async () => {
    const res = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: user('w'),
      tools: fnTools,
      tool_choice: 'required',
      max_completion_tokens: 6,
    });
    const [call] = res.choices[0].message.tool_calls ?? [];
    expect(call?.type === 'function' && call.function.arguments.startsWith('{')).toBe(true);
    expect(res.choices[0].finish_reason).toBe('length');
    expect(res.usage?.completion_tokens).toBeLessThanOrEqual(6);
  });

  test('Azure OpenAI (AzureOpenAI client): forced tool and json_schema', async () => {
    const forced = await azure.chat.completions.create({
      model: 'gpt-4o-prod',
      messages: user('w'),
      tools: fnTools,
      tool_choice: { type: 'function', function: { name: 'find_person' } },
    });
    const [call] = forced.choices[0].message.tool_calls ?? [];
    if (call?.type !== 'function') throw new Error('no function call');
    expectValidCall('find_person', call.function.arguments);
    const structured = await azure.chat.completions.create({
      model: 'gpt-4o-prod',
      messages: user('w'),
      response_format: { type: 'json_schema', json_schema: { name: 'w', schema: weather } },
    });
    expect(schemaErrors(JSON.parse(structured.choices[0].message.content ?? ''), weather)).toEqual([]);
  });
});

describe('Anthropic messages', () => {
  const tools: Anthropic.Tool[] = [
    { name: 'get_weather', input_schema: weather as Anthropic.Tool.InputSchema },
    { name: 'find_person', input_schema: person as Anthropic.Tool.InputSchema },
  ];

  test('tool_choice {type: tool}: a tool_use block whose input fits the schema; stop_reason tool_use', async () => {
    const res = await claude.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 500,
      messages: user('w'),
      tools,
      tool_choice: { type: 'tool', name: 'get_weather' },
    });
    expect(res.stop_reason).toBe('tool_use');
    const [block] = res.content;
    if (block.type !== 'tool_use') throw new Error('no tool_use block');
    expect(block.name).toBe('get_weather');
    expect(schemaErrors(block.input, weather)).toEqual([]);
    expect(res.usage.output_tokens).toBe(countTokens('get_weather') + countTokens(JSON.stringify(block.input)));
  });

  test('tool_choice {type: any}, streamed: the input accumulated from input_json_delta fits the schema', async () => {
    const final = await claude.messages
      .stream({ model: 'claude-haiku-4-5', max_tokens: 500, messages: user('who'), tools, tool_choice: { type: 'any' } })
      .finalMessage();
    const [block] = final.content;
    if (block.type !== 'tool_use') throw new Error('no tool_use block');
    expect(schemaErrors(block.input, schemaOf[block.name])).toEqual([]);
    expect(final.stop_reason).toBe('tool_use');
  });

  test("the gateway's JSON-mode emulation (a forced tool with {type: object}) gets an object with fields", async () => {
    const res = await claude.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 500,
      messages: user('json please'),
      tools: [{ name: 'json_response', description: 'Respond with a JSON object.', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'json_response' },
    });
    const [block] = res.content;
    expect(block.type === 'tool_use' && Object.keys(block.input as object).length).toBeGreaterThan(0);
  });

  test('structured outputs (output_config.format json_schema) answer JSON text matching the schema', async () => {
    const res = await claude.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 500,
      messages: user('who'),
      output_config: { format: { type: 'json_schema', schema: person } },
    });
    const [block] = res.content;
    if (block.type !== 'text') throw new Error('no text block');
    expect(schemaErrors(JSON.parse(block.text), person)).toEqual([]);
  });

  test('auto and none answer text', async () => {
    for (const tool_choice of [{ type: 'auto' as const }, { type: 'none' as const }]) {
      const res = await claude.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, messages: user('hi'), tools, tool_choice });
      expect(res.content.map((b) => b.type)).toEqual(['text']);
      expect(res.stop_reason).toBe('end_turn');
    }
  });
});

describe('Gemini generateContent', () => {
  const call = (method: string, body: unknown, query = '') =>
    rawRequest(`${mock.url}/v1beta/models/gemini-3.5-flash:${method}${query}`, { headers: { 'x-goog-api-key': KEY }, body });
  // Gemini's OpenAPI subset, as the relay converts tool parameters.
  const geminiPerson = {
    type: 'OBJECT',
    properties: { name: { type: 'STRING' }, age: { type: 'INTEGER', minimum: 0, maximum: 120 } },
    required: ['name', 'age'],
  };
  const ask = (extra: Record<string, unknown>) => ({ contents: [{ role: 'user', parts: [{ text: 'who' }] }], ...extra });
  const tools = [
    {
      functionDeclarations: [
        { name: 'find_person', parameters: geminiPerson },
        { name: 'get_weather', parametersJsonSchema: weather },
      ],
    },
  ];

  test('mode ANY with allowedFunctionNames: that function, args valid for its schema; streamed whole in one chunk', async () => {
    const toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } };
    const res = JSON.parse((await call('generateContent', ask({ tools, toolConfig }))).body);
    const part = res.candidates[0].content.parts[0];
    expect(part.functionCall.name).toBe('get_weather');
    expect(schemaErrors(part.functionCall.args, weather)).toEqual([]);
    expect(res.candidates[0].finishReason).toBe('STOP');
    expect(res.usageMetadata.candidatesTokenCount).toBe(countTokens('get_weather') + countTokens(JSON.stringify(part.functionCall.args)));

    const chunks = crlfSseData((await call('streamGenerateContent', ask({ tools, toolConfig }), '?alt=sse')).body).map((d) => JSON.parse(d));
    expect(chunks).toHaveLength(1);
    expect(chunks[0].candidates[0].content.parts[0]).toEqual(part);
  });

  test('mode ANY without names calls one of the declarations (OpenAPI-subset parameters too); NONE answers text', async () => {
    const res = JSON.parse(
      (
        await call(
          'generateContent',
          ask({
            tools: [{ functionDeclarations: [{ name: 'find_person', parameters: geminiPerson }] }],
            toolConfig: { functionCallingConfig: { mode: 'ANY' } },
          }),
        )
      ).body,
    );
    expect(schemaErrors(res.candidates[0].content.parts[0].functionCall.args, geminiPerson)).toEqual([]);
    const none = JSON.parse((await call('generateContent', ask({ tools, toolConfig: { functionCallingConfig: { mode: 'NONE' } } }))).body);
    expect(typeof none.candidates[0].content.parts[0].text).toBe('string');
  });

  test('responseMimeType application/json with responseSchema or responseJsonSchema: matching JSON, streamed token by token', async () => {
    const viaSchema = JSON.parse(
      (await call('generateContent', ask({ generationConfig: { responseMimeType: 'application/json', responseSchema: geminiPerson } }))).body,
    );
    const text = viaSchema.candidates[0].content.parts[0].text;
    expect(schemaErrors(JSON.parse(text), geminiPerson)).toEqual([]);
    expect(viaSchema.usageMetadata.candidatesTokenCount).toBe(countTokens(text));

    const body = ask({ generationConfig: { responseMimeType: 'application/json', responseJsonSchema: weather } });
    const chunks = crlfSseData((await call('streamGenerateContent', body, '?alt=sse')).body).map((d) => JSON.parse(d));
    const streamed = chunks.map((c) => c.candidates[0].content.parts[0].text).join('');
    expect(schemaErrors(JSON.parse(streamed), weather)).toEqual([]);
    expect(chunks.length).toBe(countTokens(streamed));

    const plain = JSON.parse((await call('generateContent', ask({ generationConfig: { responseMimeType: 'application/json' } }))).body);
    expect(typeof JSON.parse(plain.candidates[0].content.parts[0].text)).toBe('object');
  });
});
