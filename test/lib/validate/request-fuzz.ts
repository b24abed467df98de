/**
 * Seeded generators for the validator property test: structurally valid requests in each client
 * format (OpenAI chat, OpenAI embeddings, Anthropic messages, OpenAI Responses, Google generateContent), and mutations of them (wrong
 * types at every path, nulls, huge numbers, NaN-like strings, deep nesting, empty arrays, long
 * strings, unicode, prototype keys). The PRNG is the mock provider's (mulberry32).
 */
import { prng } from '../../harness/mock-provider/tokenizer';

type Json = Record<string, unknown>;

export class Rand {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = prng(seed);
  }

  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  number(min: number, max: number): number {
    return Math.round((min + this.next() * (max - min)) * 100) / 100;
  }
}

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const WORDS = ['hello', 'weather in Paris', 'Grüße 👋', '数据', '', ' ', '{"a":1}', 'line\nbreak', 'ends with \\'];
const NAMES = ['get_weather', 'search', 'lookup_user', 'f'];

function text(r: Rand): string {
  return r.pick(WORDS.filter((w) => w !== '')) + (r.chance(0.3) ? ` ${r.pick(WORDS)}` : '');
}

/** JSON schemas as tools carry them: nesting, $defs/$ref, anyOf, enums, nullable types. */
function schema(r: Rand, depth = 0): Json {
  const kind = depth > 2 ? r.pick(['string', 'number']) : r.pick(['string', 'number', 'integer', 'boolean', 'object', 'array', 'enum', 'anyOf', 'nullable']);
  switch (kind) {
    case 'object':
      return { type: 'object', properties: { a: schema(r, depth + 1), b: schema(r, depth + 1) }, required: ['a'], additionalProperties: false };
    case 'array':
      return { type: 'array', items: schema(r, depth + 1), minItems: 1 };
    case 'enum':
      return { type: 'string', enum: ['x', 'y'] };
    case 'anyOf':
      return { anyOf: [schema(r, depth + 1), { type: 'null' }] };
    case 'nullable':
      return { type: ['string', 'null'], description: text(r) };
    default:
      return { type: kind };
  }
}

function parameters(r: Rand): Json {
  if (r.chance(0.2)) return { type: 'object', properties: { p: { $ref: '#/$defs/P' } }, $defs: { P: schema(r, 1) } };
  return { type: 'object', properties: { city: schema(r), when: schema(r) }, required: ['city'] };
}

// ---- OpenAI chat completions ----

function openAIPart(r: Rand, role: string): Json {
  const cache = r.chance(0.1) ? { cache_control: { type: 'ephemeral' } } : {};
  if (role !== 'user') return { type: 'text', text: text(r), ...cache };
  switch (r.int(6)) {
    case 0:
      return { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}`, detail: r.pick(['auto', 'low', 'high']) } };
    case 1:
      return { type: 'image_url', image_url: { url: r.pick(['https://example.com/cat.png', 'https://example.com/cat', 'https://example.com/a.jpeg?x=1']) } };
    case 2:
      return { type: 'input_audio', input_audio: { data: 'UklGRg==', format: r.pick(['wav', 'mp3']) } };
    case 3:
      return { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } };
    default:
      return { type: 'text', text: text(r), ...cache };
  }
}

function openAIContent(r: Rand, role: string): unknown {
  return r.chance(0.5) ? text(r) : Array.from({ length: 1 + r.int(3) }, () => openAIPart(r, role));
}

function openAIMessages(r: Rand, toolNames: string[]): Json[] {
  const messages: Json[] = [];
  if (r.chance(0.5)) messages.push({ role: r.pick(['system', 'developer']), content: openAIContent(r, 'system') });
  const turns = 1 + r.int(4);
  for (let t = 0; t < turns; t++) {
    messages.push({ role: 'user', content: openAIContent(r, 'user'), ...(r.chance(0.1) ? { name: 'ann' } : {}) });
    if (t === turns - 1 && r.chance(0.7)) break;
    if (toolNames.length > 0 && r.chance(0.5)) {
      const calls = Array.from({ length: 1 + r.int(2) }, (_, k) => ({
        id: `call_${t}_${k}`,
        type: 'function',
        function: { name: r.pick(toolNames), arguments: r.pick(['{"city":"Paris"}', '{}', '']) },
        ...(r.chance(0.2) ? { extra_content: { google: { thought_signature: 'c2ln' } } } : {}),
      }));
      messages.push({ role: 'assistant', content: r.chance(0.5) ? null : text(r), tool_calls: calls, ...(r.chance(0.2) ? { reasoning_content: 'hmm' } : {}) });
      for (const call of calls)
        messages.push({ role: 'tool', tool_call_id: call.id, content: r.chance(0.5) ? '{"temp":18}' : [{ type: 'text', text: text(r) }] });
    } else {
      messages.push({ role: 'assistant', content: openAIContent(r, 'assistant') });
    }
  }
  return messages;
}

export function openAIChatRequest(r: Rand): Json {
  const toolNames = r.chance(0.5) ? NAMES.slice(0, 1 + r.int(3)) : [];
  const body: Json = { model: r.pick(['smart', 'gpt-4o', 'constructor']), messages: openAIMessages(r, toolNames) };
  if (toolNames.length > 0) {
    body.tools = toolNames.map((name) => ({
      type: 'function',
      function: { name, description: text(r), parameters: parameters(r), ...(r.chance(0.2) ? { strict: true } : {}) },
    }));
    if (r.chance(0.5)) body.tool_choice = r.pick(['auto', 'none', 'required', { type: 'function', function: { name: toolNames[0] } }]);
    if (r.chance(0.2)) body.parallel_tool_calls = r.chance(0.5);
  }
  const optional: Array<[string, () => unknown]> = [
    ['max_tokens', () => 1 + r.int(8000)],
    ['max_completion_tokens', () => 1 + r.int(64000)],
    ['temperature', () => r.number(0, 2)],
    ['top_p', () => r.number(0, 1)],
    ['n', () => 1 + r.int(r.chance(0.8) ? 2 : 128)],
    ['stop', () => (r.chance(0.5) ? 'END' : ['END', '###'])],
    ['seed', () => r.int(1_000_000)],
    ['presence_penalty', () => r.number(-2, 2)],
    ['frequency_penalty', () => r.number(-2, 2)],
    ['logit_bias', () => ({ '50256': -100, '1': r.number(-100, 100) })],
    ['reasoning_effort', () => r.pick(['none', 'minimal', 'low', 'medium', 'high', 'xhigh'])],
    ['user', () => 'user-1'],
    ['metadata', () => ({ trace: 'abc' })],
    [
      'response_format',
      () => r.pick([{ type: 'text' }, { type: 'json_object' }, { type: 'json_schema', json_schema: { name: 'out', schema: parameters(r), strict: true } }]),
    ],
    ['top_k', () => r.int(100)],
    ['service_tier', () => 'auto'],
    ['x_vendor_extension', () => ({ anything: [1, 'two'] })],
  ];
  for (const [key, value] of optional) if (r.chance(0.25)) body[key] = value();
  if (r.chance(0.3)) {
    body.stream = true;
    if (r.chance(0.5)) body.stream_options = { include_usage: r.chance(0.5) };
  }
  if (r.chance(0.1)) {
    body.logprobs = true;
    body.top_logprobs = r.int(21);
  }
  return body;
}

// ---- OpenAI embeddings ----

export function embeddingsRequest(r: Rand): Json {
  const input = r.pick<() => unknown>([() => text(r), () => [text(r), text(r)], () => [1, 2, 3], () => [[1, 2], [3]]])();
  const body: Json = { model: r.pick(['embed', 'text-embedding-3-small']), input };
  if (r.chance(0.3)) body.dimensions = 1 + r.int(3072);
  if (r.chance(0.3)) body.encoding_format = r.pick(['float', 'base64']);
  if (r.chance(0.2)) body.user = 'u';
  return body;
}

// ---- Anthropic messages ----

function imageBlock(r: Rand): Json {
  const source = r.chance(0.5) ? { type: 'base64', media_type: 'image/png', data: PNG } : { type: 'url', url: 'https://example.com/a.jpg' };
  return { type: 'image', source, ...(r.chance(0.1) ? { cache_control: { type: 'ephemeral', ttl: '1h' } } : {}) };
}

function documentBlock(r: Rand): Json {
  return r.chance(0.5)
    ? { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'a.pdf' }
    : { type: 'document', source: { type: 'text', media_type: 'text/plain', data: text(r) } };
}

function textBlock(r: Rand): Json {
  return { type: 'text', text: text(r), ...(r.chance(0.1) ? { cache_control: { type: 'ephemeral' } } : {}) };
}

function anthropicMessages(r: Rand, toolNames: string[]): Json[] {
  const messages: Json[] = [];
  let pending: string[] = [];
  const turns = 1 + r.int(4);
  for (let t = 0; t < turns; t++) {
    const results = pending.map((id) => ({
      type: 'tool_result',
      tool_use_id: id,
      content: r.chance(0.5) ? '18C' : [textBlock(r), ...(r.chance(0.3) ? [imageBlock(r)] : [])],
      ...(r.chance(0.2) ? { is_error: true } : {}),
    }));
    const extra = Array.from({ length: r.int(3) }, () => r.pick([textBlock, imageBlock, documentBlock])(r));
    const blocks = [...results, ...extra];
    messages.push({ role: 'user', content: blocks.length === 0 || (results.length === 0 && r.chance(0.4)) ? text(r) : blocks });
    pending = [];
    if (t === turns - 1 && r.chance(0.7)) break;
    const content: Json[] = [];
    if (r.chance(0.3)) content.push({ type: 'thinking', thinking: 'Let me think.', signature: r.pick(['sig', '']) });
    if (r.chance(0.1)) content.push({ type: 'redacted_thinking', data: 'opaque' });
    if (r.chance(0.6)) content.push(textBlock(r));
    if (toolNames.length > 0 && r.chance(0.5)) {
      pending = [`toolu_${t}`];
      content.push({ type: 'tool_use', id: pending[0], name: r.pick(toolNames), input: { city: 'Paris' } });
    }
    messages.push({ role: 'assistant', content: content.length > 0 ? content : text(r) });
  }
  return messages;
}

export function anthropicRequest(r: Rand): Json {
  const toolNames = r.chance(0.5) ? NAMES.slice(0, 1 + r.int(3)) : [];
  const body: Json = {
    model: r.pick(['claude-sonnet-4-6', 'smart']),
    max_tokens: 1 + r.int(r.chance(0.5) ? 4096 : 64000),
    messages: anthropicMessages(r, toolNames),
  };
  if (toolNames.length > 0) {
    body.tools = toolNames.map((name) => ({
      name,
      description: text(r),
      input_schema: parameters(r),
      ...(r.chance(0.1) ? { cache_control: { type: 'ephemeral' } } : {}),
    }));
    if (r.chance(0.5))
      body.tool_choice = r.pick([{ type: 'auto' }, { type: 'any', disable_parallel_tool_use: true }, { type: 'none' }, { type: 'tool', name: toolNames[0] }]);
  }
  const optional: Array<[string, () => unknown]> = [
    ['system', () => (r.chance(0.5) ? text(r) : [textBlock(r), textBlock(r)])],
    ['temperature', () => r.number(0, 1)],
    ['top_p', () => r.number(0, 1)],
    ['top_k', () => r.int(500)],
    ['stop_sequences', () => ['END']],
    ['stream', () => r.chance(0.5)],
    ['metadata', () => ({ user_id: 'u-1' })],
    ['thinking', () => r.pick([{ type: 'enabled', budget_tokens: 1024 + r.int(20000) }, { type: 'adaptive' }, { type: 'disabled' }])],
    ['x_vendor_extension', () => [1, 2]],
  ];
  for (const [key, value] of optional) if (r.chance(0.3)) body[key] = value();
  return body;
}

// ---- OpenAI Responses ----

function responsesPart(r: Rand, role: string): Json {
  if (role === 'assistant') return r.chance(0.9) ? { type: 'output_text', text: text(r), annotations: [] } : { type: 'refusal', refusal: text(r) };
  if (role === 'user' && r.chance(0.3)) {
    return {
      type: 'input_image',
      image_url: r.pick([`data:image/png;base64,${PNG}`, 'https://example.com/cat.png']),
      ...(r.chance(0.5) ? { detail: 'low' } : {}),
    };
  }
  return { type: 'input_text', text: text(r) };
}

function responsesMessage(r: Rand, role: string): Json {
  const content = r.chance(0.5) ? text(r) : Array.from({ length: 1 + r.int(3) }, () => responsesPart(r, role));
  return r.chance(0.5) ? { role, content } : { type: 'message', role, content, ...(role === 'assistant' ? { id: 'msg_1', status: 'completed' } : {}) };
}

function responsesInput(r: Rand, toolNames: string[]): unknown {
  if (r.chance(0.2)) return text(r);
  const items: Json[] = [];
  if (r.chance(0.3)) items.push(responsesMessage(r, r.pick(['system', 'developer'])));
  const turns = 1 + r.int(4);
  for (let t = 0; t < turns; t++) {
    items.push(responsesMessage(r, 'user'));
    if (t === turns - 1 && r.chance(0.7)) break;
    if (r.chance(0.2)) items.push({ type: 'reasoning', id: `rs_${t}`, summary: [{ type: 'summary_text', text: text(r) }], encrypted_content: 'b3BhcXVl' });
    if (toolNames.length > 0 && r.chance(0.5)) {
      const calls = Array.from({ length: 1 + r.int(2) }, (_, k) => ({
        type: 'function_call',
        call_id: `call_${t}_${k}`,
        name: r.pick(toolNames),
        arguments: r.pick(['{"city":"Paris"}', '{}', '']),
      }));
      items.push(...calls);
      for (const call of calls) {
        const output = r.chance(0.7) ? '{"temp":18}' : [{ type: 'input_text', text: text(r) }, responsesPart(r, 'user')];
        items.push({ type: 'function_call_output', call_id: call.call_id, output });
      }
    } else items.push(responsesMessage(r, 'assistant'));
  }
  return items;
}

export function responsesRequest(r: Rand): Json {
  const toolNames = r.chance(0.5) ? NAMES.slice(0, 1 + r.int(3)) : [];
  const body: Json = { model: r.pick(['smart', 'gpt-4o', 'constructor']), input: responsesInput(r, toolNames) };
  if (toolNames.length > 0) {
    body.tools = toolNames.map((name) => ({
      type: 'function',
      name,
      description: text(r),
      parameters: parameters(r),
      ...(r.chance(0.5) ? { strict: r.chance(0.5) } : {}),
    }));
    if (r.chance(0.5)) body.tool_choice = r.pick(['auto', 'none', 'required', { type: 'function', name: toolNames[0] }]);
    if (r.chance(0.2)) body.parallel_tool_calls = r.chance(0.5);
  }
  const optional: Array<[string, () => unknown]> = [
    ['instructions', () => text(r)],
    ['max_output_tokens', () => 16 + r.int(64000)],
    ['temperature', () => r.number(0, 2)],
    ['top_p', () => r.number(0, 1)],
    ['reasoning', () => ({ effort: r.pick(['minimal', 'low', 'medium', 'high']), ...(r.chance(0.5) ? { summary: 'auto' } : {}) })],
    [
      'text',
      () => ({
        format: r.pick([{ type: 'text' }, { type: 'json_object' }, { type: 'json_schema', name: 'out', schema: parameters(r), strict: true }]),
        ...(r.chance(0.3) ? { verbosity: 'low' } : {}),
      }),
    ],
    ['store', () => r.chance(0.5)],
    ['metadata', () => ({ trace: 'abc' })],
    ['stream', () => r.chance(0.5)],
    ['user', () => 'user-1'],
    ['include', () => ['reasoning.encrypted_content']],
    ['truncation', () => 'disabled'],
  ];
  for (const [key, value] of optional) if (r.chance(0.3)) body[key] = value();
  return body;
}

// ---- Google GenAI generateContent ----

/** Gemini's Schema: upper-case types, nullable, int64 bounds as strings. */
function geminiSchema(r: Rand, depth = 0): Json {
  const kind = depth > 2 ? r.pick(['STRING', 'NUMBER']) : r.pick(['STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'OBJECT', 'ARRAY']);
  if (kind === 'OBJECT') return { type: 'OBJECT', properties: { a: geminiSchema(r, depth + 1) }, required: ['a'], propertyOrdering: ['a'] };
  if (kind === 'ARRAY') return { type: 'ARRAY', items: geminiSchema(r, depth + 1), minItems: r.pick([1, '1']) };
  return { type: kind, ...(r.chance(0.3) ? { nullable: true } : {}), ...(kind === 'STRING' && r.chance(0.3) ? { enum: ['x', 'y'], format: 'enum' } : {}) };
}

function googleUserPart(r: Rand): Json {
  switch (r.int(8)) {
    case 0:
      return { inlineData: { mimeType: 'image/png', data: PNG } };
    case 1:
      return {
        fileData: {
          mimeType: r.pick(['image/jpeg', 'application/pdf']),
          fileUri: r.pick(['https://example.com/a.jpg', 'https://generativelanguage.googleapis.com/v1beta/files/x']),
        },
      };
    case 2:
      return { inlineData: { mimeType: r.pick(['audio/wav', 'audio/mpeg', 'video/mp4', 'application/pdf', 'text/plain']), data: 'UklGRg==' } };
    default:
      return { text: text(r) };
  }
}

function googleContents(r: Rand, toolNames: string[]): Json[] {
  const contents: Json[] = [];
  let pending: string[] = [];
  const turns = 1 + r.int(4);
  for (let t = 0; t < turns; t++) {
    const parts: Json[] = pending.map((name) => ({ functionResponse: { name, response: { output: text(r) } } }));
    for (let k = r.int(3); k >= 0; k--) parts.push(googleUserPart(r));
    contents.push({ ...(r.chance(0.8) ? { role: 'user' } : {}), parts });
    pending = [];
    if (t === turns - 1 && r.chance(0.7)) break;
    const model: Json[] = [];
    if (r.chance(0.3)) model.push({ text: 'Let me think.', thought: true });
    if (r.chance(0.6)) model.push({ text: text(r) });
    if (toolNames.length > 0 && r.chance(0.5)) {
      pending = Array.from({ length: 1 + r.int(2) }, () => r.pick(toolNames));
      pending.forEach((name, k) =>
        model.push({
          functionCall: { name, args: { city: 'Paris' }, ...(r.chance(0.3) ? { id: `fc_${t}_${k}` } : {}) },
          ...(k === 0 && r.chance(0.5) ? { thoughtSignature: 'c2ln' } : {}),
        }),
      );
    }
    contents.push({ role: 'model', parts: model.length > 0 ? model : [{ text: text(r) }] });
  }
  return contents;
}

export function generateContentRequest(r: Rand): Json {
  const toolNames = r.chance(0.5) ? NAMES.slice(0, 1 + r.int(3)) : [];
  const body: Json = { contents: googleContents(r, toolNames) };
  if (toolNames.length > 0) {
    body.tools = [
      {
        functionDeclarations: toolNames.map((name) => ({
          name,
          description: text(r),
          ...(r.chance(0.5) ? { parameters: geminiSchema(r) } : { parametersJsonSchema: parameters(r) }),
        })),
      },
      ...(r.chance(0.1) ? [{ googleSearch: {} }] : []),
    ];
    if (r.chance(0.5))
      body.toolConfig = {
        functionCallingConfig: r.pick([{ mode: 'AUTO' }, { mode: 'ANY', allowedFunctionNames: [toolNames[0]] }, { mode: 'NONE' }, { mode: 'VALIDATED' }]),
      };
  }
  const config: Json = {};
  const settings: Array<[string, () => unknown]> = [
    ['temperature', () => r.number(0, 2)],
    ['topP', () => r.number(0, 1)],
    ['topK', () => r.int(100)],
    ['maxOutputTokens', () => 1 + r.int(8192)],
    ['stopSequences', () => ['END']],
    ['candidateCount', () => 1 + r.int(3)],
    ['seed', () => r.int(1000)],
    ['responseMimeType', () => r.pick(['application/json', 'text/plain', 'text/x.enum'])],
    ['responseSchema', () => geminiSchema(r)],
    ['responseJsonSchema', () => parameters(r)],
    [
      'thinkingConfig',
      () => r.pick([{ thinkingBudget: -1 }, { thinkingBudget: 0 }, { thinkingBudget: 1 + r.int(30000), includeThoughts: true }, { thinkingLevel: 'HIGH' }]),
    ],
    ['responseModalities', () => r.pick([['TEXT'], ['TEXT', 'IMAGE']])],
  ];
  for (const [key, value] of settings) if (r.chance(0.25)) config[key] = value();
  if (Object.keys(config).length > 0) body.generationConfig = config;
  const optional: Array<[string, () => unknown]> = [
    ['systemInstruction', () => ({ parts: [{ text: text(r) }] })],
    ['safetySettings', () => [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }]],
    ['cachedContent', () => 'cachedContents/abc'],
    ['x_vendor_extension', () => [1, 2]],
  ];
  for (const [key, value] of optional) if (r.chance(key === 'cachedContent' ? 0.05 : 0.3)) body[key] = value();
  return body;
}

// ---- mutations ----

function nested(levels: number, leaf: unknown, asObject: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = asObject ? { a: value } : [value];
  return value;
}

/** Values that have broken parsers before: every JSON kind, out-of-range numbers, prototype names. */
const HOSTILE: ReadonlyArray<() => unknown> = [
  () => null,
  () => true,
  () => false,
  () => 0,
  () => -1,
  () => 1.5,
  () => 1e308,
  () => -1e308,
  () => Infinity,
  () => 2 ** 53 + 1,
  () => 'NaN',
  () => 'Infinity',
  () => '1e308',
  () => '',
  () => 'x'.repeat(300),
  () => '\u0000\ud800\u{1F4A5}\u202e',
  () => 'constructor',
  () => '__proto__',
  () => 'toString',
  () => 'http://[',
  () => 'data:;base64,',
  () => [],
  () => ({}),
  () => [null],
  () => [[]],
  () => [{}],
  () => ({ type: 'text' }),
  () => ({ type: 'constructor' }),
  () => JSON.parse('{"__proto__":{"polluted":true},"type":"function"}'),
  () => nested(200, 'leaf', false),
  () => nested(200, 1, true),
  () => '['.repeat(500) + ']'.repeat(500),
];

/** Every path to a value inside the request (iteratively; generated requests are shallow). */
function paths(body: unknown): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  const stack: Array<[unknown, Array<string | number>]> = [[body, []]];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (path.length > 0) out.push(path);
    if (Array.isArray(value)) value.forEach((item, i) => stack.push([item, [...path, i]]));
    else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) stack.push([item, [...path, key]]);
  }
  return out;
}

/** A copy of `body` with one value replaced, removed, or one unknown key added, and what was done. */
export function mutate(r: Rand, body: Json): { body: Json; what: string } {
  const copy = structuredClone(body);
  const targets = paths(copy);
  if (targets.length === 0) return { body: { ...copy, model: r.pick(HOSTILE)() }, what: 'model added to an emptied body' };
  const path = r.pick(targets);
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1];
  let parent: unknown = copy;
  for (const segment of parentPath) parent = (parent as Record<string | number, unknown>)[segment];
  const container = parent as Record<string | number, unknown>;
  const where = path.join('.');
  const roll = r.int(10);
  if (roll === 0) {
    if (Array.isArray(container)) container.splice(key as number, 1);
    else delete container[key];
    return { body: copy, what: `removed ${where}` };
  }
  if (roll === 1 && typeof container === 'object' && !Array.isArray(container)) {
    container[r.pick(['constructor', '__proto__', 'unknown_field', 'type'])] = r.pick(HOSTILE)();
    return { body: copy, what: `added a key next to ${where}` };
  }
  const value = r.pick(HOSTILE)();
  container[key] = value;
  return { body: copy, what: `${where} = ${JSON.stringify(value)?.slice(0, 40)}` };
}
