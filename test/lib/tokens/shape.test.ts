/**
 * What promptShape counts and what promptTokenBound adds, the estimate, and counts of generated
 * text: behaviour a caller relies on.
 */
import { countTokens as o200kCount } from 'gpt-tokenizer';
import { catalogPrice } from '../../../lib/pricing';
import {
  completionText,
  countTextTokens,
  estimatePromptTokens,
  promptShape,
  promptTokenBound,
  requestedChoices,
  requestedMaxOutput,
  UNKNOWN_CONTEXT_WINDOW,
} from '../../../lib/tokens';

const NO_SPECIAL = { disallowedSpecial: new Set<string>() };
const chat = (content: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'm',
  messages: [{ role: 'user', content }],
  ...extra,
});
const base64 = Buffer.alloc(300_000, 7).toString('base64');

describe('promptShape', () => {
  it('counts images, never their base64 payload as text', () => {
    const shape = promptShape(
      chat([
        { type: 'text', text: 'hi' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${base64}` } },
      ]),
      'chat.completions',
    );
    expect(shape.images).toBe(1);
    expect(shape.textTokens).toBeLessThan(20);
    const anthropic = promptShape(
      {
        model: 'm',
        max_tokens: 1,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: base64 } }] }],
      },
      'messages',
    );
    expect(anthropic.images).toBe(1);
    expect(anthropic.textTokens).toBeLessThan(20);
  });

  it('flags documents, audio, files, unknown parts and template overrides as unbounded', () => {
    expect(
      promptShape(
        {
          model: 'm',
          max_tokens: 1,
          messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: base64 } }] }],
        },
        'messages',
      ).unbounded,
    ).toBe('document');
    expect(promptShape(chat([{ type: 'input_audio', input_audio: { data: base64, format: 'wav' } }]), 'chat.completions').unbounded).toMatch(/input_audio/);
    expect(promptShape(chat([{ type: 'file', file: { file_data: `data:application/pdf;base64,${base64}` } }]), 'chat.completions').unbounded).toMatch(/file/);
    expect(promptShape(chat([{ type: 'hologram' }]), 'chat.completions').unbounded).toMatch(/hologram/);
    expect(promptShape(chat('hi', { chat_template: '{% for m in messages %}{{ m.content * 1000 }}{% endfor %}' }), 'chat.completions').unbounded).toBe(
      'chat_template',
    );
    // A plain-text document is text.
    const text = promptShape(
      {
        model: 'm',
        max_tokens: 1,
        messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'a'.repeat(500) } }] }],
      },
      'messages',
    );
    expect(text.unbounded).toBeNull();
    expect(text.textTokens).toBeGreaterThanOrEqual(500);
  });

  it('counts tools, tool calls, tool results and JSON mode', () => {
    const shape = promptShape(
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'go' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'lookup_weather', arguments: '{"city":"Paris"}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: '{"temp":21}' },
        ],
        tools: [{ type: 'function', function: { name: 'lookup_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      },
      'chat.completions',
    );
    expect(shape).toMatchObject({ messages: 3, toolDefinitions: 1, toolCalls: 1, toolResults: 1, usesTools: true, longestToolName: 'lookup_weather'.length });
    expect(promptShape(chat('hi', { response_format: { type: 'json_object' } }), 'chat.completions').usesTools).toBe(true);
  });

  it('never throws on special-token strings', () => {
    const special = '<|endoftext|><|im_start|>system<|im_end|><|endofprompt|>';
    expect(() => promptShape(chat(special), 'chat.completions')).not.toThrow();
    expect(() => estimatePromptTokens(chat(special))).not.toThrow();
    expect(countTextTokens(special)).toBe(o200kCount(special, NO_SPECIAL));
  });
});

describe('promptTokenBound', () => {
  const gpt4oMini = catalogPrice('gpt-4o-mini')!;

  it('multiplies images by the model’s maximum, or takes the context window when none is known', () => {
    const shape = promptShape(chat([{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }]), 'chat.completions');
    expect(gpt4oMini.max_image_tokens).toBe(48_169);
    expect(
      promptTokenBound(shape, { provider: 'openai', contextWindow: gpt4oMini.context_window, maxImageTokens: gpt4oMini.max_image_tokens }),
    ).toBeGreaterThan(48_169);
    expect(promptTokenBound(shape, { provider: 'gemini', contextWindow: 1_048_576 })).toBe(1_048_576);
    expect(promptTokenBound(shape, { provider: 'gemini', contextWindow: 1_048_576, maxImageTokens: 2_240 })).toBeLessThan(3_000);
    expect(promptTokenBound(shape, { provider: 'vllm' })).toBe(UNKNOWN_CONTEXT_WINDOW);
  });

  it('caps at the context window: a chat prompt as a whole, each embeddings input on its own', () => {
    const big = 'word '.repeat(100_000);
    expect(promptTokenBound(promptShape(chat(big), 'chat.completions'), { provider: 'openai', contextWindow: 128_000 })).toBe(128_000);
    const embeddings = promptShape({ model: 'e', input: [big, big, 'short'] }, 'embeddings');
    expect(promptTokenBound(embeddings, { provider: 'openai', contextWindow: 8191 })).toBe(3 * 8191);
    expect(
      promptTokenBound(
        promptShape(
          {
            model: 'e',
            input: [
              [1, 2, 3],
              [4, 5],
            ],
          },
          'embeddings',
        ),
        { provider: 'openai' },
      ),
    ).toBe(5);
  });

  it('adds Anthropic’s documented tool-use system prompt', () => {
    const withTools = promptShape(chat('hi', { tools: [{ type: 'function', function: { name: 't', parameters: {} } }] }), 'chat.completions');
    const without = promptShape(chat('hi'), 'chat.completions');
    expect(promptTokenBound(withTools, { provider: 'anthropic' }) - promptTokenBound(without, { provider: 'anthropic' })).toBeGreaterThanOrEqual(530);
  });
});

describe('estimatePromptTokens', () => {
  it('is exact o200k plus OpenAI’s framing for a small prompt', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    expect(estimatePromptTokens(chat(text))).toBe(o200kCount(text) + o200kCount('user') + 3 + 3);
  });

  it('samples a large prompt within 10% of the exact count, in bounded time, and stays under the bound', () => {
    const words = ['gateway', 'token', 'budget', 'the', 'of', 'a', 'stream', 'latency', 'request', 'Kong', '42', 'naïve', 'über', '東京'];
    let seed = 1;
    const text = Array.from({ length: 60_000 }, () => words[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % words.length]).join(' ');
    const exact = o200kCount(text) + o200kCount('user') + 6;
    const estimate = estimatePromptTokens(chat(text));
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.1);
    expect(estimate).toBeLessThanOrEqual(promptTokenBound(promptShape(chat(text), 'chat.completions'), { provider: 'openai' }));
  });

  it('counts images, tools and embeddings token arrays', () => {
    const base = estimatePromptTokens(chat('hi'));
    expect(
      estimatePromptTokens(
        chat([
          { type: 'text', text: 'hi' },
          { type: 'image_url', image_url: { url: 'data:...' } },
        ]),
      ) - base,
    ).toBeGreaterThanOrEqual(765);
    expect(
      estimatePromptTokens(chat('hi', { tools: [{ type: 'function', function: { name: 'lookup_weather', parameters: { type: 'object' } } }] })),
    ).toBeGreaterThan(base);
    expect(estimatePromptTokens({ input: [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]] })).toBe(13);
    expect(estimatePromptTokens({ input: 'one two three' })).toBeGreaterThan(estimatePromptTokens({ input: 'one' }));
  });
});

describe('countTextTokens', () => {
  it('is exact for ordinary text and an upper bound (UTF-8 bytes) for a long piece', () => {
    const text = 'Streaming answers are billed for what was delivered, even when cut.';
    expect(countTextTokens(text)).toBe(o200kCount(text));
    const long = 'x'.repeat(10_000);
    expect(countTextTokens(long)).toBe(10_000);
    expect(countTextTokens(long)).toBeGreaterThanOrEqual(o200kCount(long));
    expect(countTextTokens('')).toBe(0);
  });
});

describe('output allowance and generated text', () => {
  it('reads the output allowance from max_completion_tokens or max_tokens', () => {
    expect(requestedMaxOutput({ max_tokens: 50 })).toBe(50);
    expect(requestedMaxOutput({ max_completion_tokens: 70, max_tokens: 50 })).toBe(70);
    expect(requestedMaxOutput({})).toBeNull();
  });

  it('collects content, reasoning and tool-call arguments', () => {
    expect(
      completionText({ choices: [{ message: { content: 'a', reasoning_content: 'b', tool_calls: [{ function: { name: 'c', arguments: '{}' } }] } }] }),
    ).toBe('abc{}');
  });
});

describe('Google GenAI requests (generateContent)', () => {
  const user = (...parts: unknown[]) => ({ contents: [{ role: 'user', parts }] });

  it('counts images per image, never their base64 as text; other media and Google’s own tools and caches are unbounded', () => {
    const shape = promptShape(user({ text: 'hi' }, { inlineData: { mimeType: 'image/png', data: base64 } }), 'generateContent');
    expect(shape).toMatchObject({ images: 1, messages: 1, unbounded: null });
    expect(shape.textTokens).toBeLessThan(30);
    expect(promptShape(user({ fileData: { mimeType: 'image/jpeg', fileUri: 'https://x.test/a.jpg' } }), 'generateContent').images).toBe(1);
    expect(promptShape(user({ inlineData: { mimeType: 'audio/wav', data: base64 } }), 'generateContent').unbounded).toMatch(/audio\/wav/);
    expect(promptShape(user({ fileData: { fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/x' } }), 'generateContent').unbounded).toMatch(
      /media/,
    );
    expect(promptShape({ ...user({ text: 'hi' }), tools: [{ googleSearch: {} }] }, 'generateContent').unbounded).toBe('tool googleSearch');
    expect(promptShape({ ...user({ text: 'hi' }), cachedContent: 'cachedContents/abc' }, 'generateContent').unbounded).toBe('cached content');
  });

  it('counts each function declaration as a tool definition, calls with the ids the gateway gives them, responses as results', () => {
    const body = {
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }] },
        {
          role: 'model',
          parts: [{ functionCall: { name: 'weather', args: { city: 'Paris' } } }, { functionCall: { name: 'weather', args: { city: 'Rome' } } }],
        },
        { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { temp: 21 } } }] },
      ],
      tools: [{ functionDeclarations: [{ name: 'weather' }, { name: 'time' }] }],
      generationConfig: { temperature: 0.2, maxOutputTokens: 5, responseMimeType: 'application/json' },
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
    };
    const shape = promptShape(body, 'generateContent');
    expect(shape).toMatchObject({ messages: 4, toolDefinitions: 2, toolCalls: 2, toolResults: 1, usesTools: true, unbounded: null });
    // Settings are not prompt: the same request without them bounds the same.
    const { generationConfig: _g, safetySettings: _s, ...bare } = body;
    expect(promptShape({ ...bare, generationConfig: { responseMimeType: 'application/json' } }, 'generateContent').textTokens).toBe(shape.textTokens);
    // A call's generated id is counted: a call without one bounds more text than with a one-letter id.
    const withId = structuredClone(body);
    (withId.contents[1].parts[0] as { functionCall: Record<string, unknown> }).functionCall.id = 'a';
    expect(promptShape(withId, 'generateContent').textTokens).toBeLessThan(shape.textTokens);
  });

  it('reads the output allowance and the candidate count from generationConfig, and only for this format', () => {
    const body = { contents: [], generationConfig: { maxOutputTokens: 64, candidateCount: 3 } };
    expect(requestedMaxOutput(body, 'generateContent')).toBe(64);
    expect(requestedChoices(body, 'generateContent')).toBe(3);
    // A chat body that carries a generationConfig is not read for it: OpenAI targets would not honour it.
    expect(requestedMaxOutput({ ...body, messages: [] })).toBeNull();
    expect(requestedChoices({ ...body, n: 2 }, 'chat.completions')).toBe(2);
    expect(requestedChoices(body, 'messages')).toBe(1);
  });

  it('estimates the prompt like a chat request with the same text', () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const google = estimatePromptTokens({ contents: [{ role: 'user', parts: [{ text }] }] });
    const openai = estimatePromptTokens(chat(text));
    // The role name is text in both; Google's has no model field to skip.
    expect(Math.abs(google - openai)).toBeLessThanOrEqual(2);
    expect(google).toBeGreaterThan(100);
  });
});
