/**
 * Seeded generators of adversarial text and request bodies for the token tests: punctuation and
 * whitespace runs, CJK, emoji with ZWJ sequences and flags, base64, code, mixed scripts,
 * combining marks, NFKC-expanding characters, random Unicode, special-token strings.
 */
import { prng } from '../../harness/mock-provider/tokenizer';

export type Random = () => number;

export function seeded(seed: number): Random {
  return prng(seed);
}

const int = (rand: Random, max: number): number => Math.floor(rand() * max);
const pick = <T>(rand: Random, items: readonly T[]): T => items[int(rand, items.length)];
const repeat = (rand: Random, make: () => string, max: number): string => Array.from({ length: 1 + int(rand, max) }, make).join('');
const fromRange = (rand: Random, low: number, high: number): string => String.fromCodePoint(low + int(rand, high - low + 1));

const PUNCTUATION = [...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'];
const EMOJI = ['😀', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇫🇷', '🇯🇵', '❤️', '🧑🏿‍💻', '1️⃣', '👩‍❤️‍💋‍👨'];
const EXPANDING = ['\uFDFA', '\uFDFB', 'ﬁ', 'ﬂ', 'ﬃ', 'ﬄ', '½', '㍿', '㈱', '⑴', '㎏', 'Ａ', '𝐀', '²', 'ǆ', 'ẛ', 'Å', '™', '…', '\u0958', '\ufb2c'];
const SCRIPTS: Array<[number, number]> = [
  [0x0400, 0x04ff], // Cyrillic
  [0x0600, 0x06ff], // Arabic
  [0x0900, 0x097f], // Devanagari
  [0x0e00, 0x0e7f], // Thai
  [0xac00, 0xd7a3], // Hangul syllables
  [0x3040, 0x30ff], // Kana
  [0x0370, 0x03ff], // Greek
  [0x1100, 0x11ff], // Hangul jamo
];
const SPECIAL_STRINGS = [
  '<|endoftext|>',
  '<|im_start|>',
  '<|im_end|>',
  '<|endofprompt|>',
  '<s>',
  '</s>',
  '[INST]',
  '<start_of_turn>',
  '<|begin_of_text|>',
  '<|eot_id|>',
  '<bos>',
];
const CODE = [
  'function add(a, b) {\n  return a + b;\n}\n',
  'for (let i = 0; i < n; i++) { total += values[i] * 2; }\n',
  "SELECT id, name FROM users WHERE created_at > NOW() - INTERVAL '1 day';\n",
  'def f(x):\n    return {"k": [x, x ** 2, None]}\n',
  '#include <stdio.h>\nint main(void){printf("%d\\n", 42);}\n',
];

/** One adversarial text of roughly up to `size` characters. */
export function adversarialText(rand: Random, size = 200): string {
  const n = 1 + int(rand, size);
  switch (int(rand, 16)) {
    case 0:
      return pick(rand, PUNCTUATION).repeat(n);
    case 1:
      return repeat(rand, () => pick(rand, PUNCTUATION), n);
    case 2:
      return repeat(rand, () => fromRange(rand, 0x4e00, 0x9fff), n);
    case 3:
      return repeat(rand, () => pick(rand, EMOJI), Math.ceil(n / 4));
    case 4:
      return Buffer.from(Array.from({ length: n }, () => int(rand, 256))).toString('base64');
    case 5:
      return repeat(rand, () => pick(rand, CODE), 4);
    case 6: {
      const [low, high] = pick(rand, SCRIPTS);
      return repeat(rand, () => (rand() < 0.15 ? ' ' : fromRange(rand, low, high)), n);
    }
    case 7:
      return repeat(rand, () => pick(rand, ['a', 'e', 'o', 'n']) + repeat(rand, () => fromRange(rand, 0x0300, 0x036f), 4), Math.ceil(n / 3));
    case 8:
      return repeat(rand, () => pick(rand, EXPANDING), n);
    case 9: {
      // Random code points from every plane, lone surrogates included now and then.
      return repeat(rand, () => (rand() < 0.02 ? String.fromCharCode(0xd800 + int(rand, 0x800)) : fromRange(rand, 0x20, 0x2ffff)), n);
    }
    case 10:
      return repeat(rand, () => pick(rand, [' ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '  ']), n);
    case 11:
      return repeat(rand, () => pick(rand, SPECIAL_STRINGS) + (rand() < 0.5 ? ' ' : ''), 8);
    case 12:
      return repeat(rand, () => String(int(rand, 1e9)), Math.ceil(n / 5));
    case 13:
      return repeat(rand, () => pick(rand, ['aA', 'Ab', 'XYZ', 'camelCase', 'HTTPServer', 'snake_case']), Math.ceil(n / 4));
    case 14:
      return repeat(rand, () => pick(rand, ['é', 'e\u0301', '\u0323', 'ệ', '한', '\u1100\u1161\u11a8', 'Å', 'A\u030a']), n);
    default:
      return repeat(rand, () => pick(rand, ['The ', 'quick ', 'brown ', 'fox ', 'jumps ', 'over ', 'the ', 'lazy ', 'dog. ']), Math.ceil(n / 4));
  }
}

/** A JSON value for tool arguments and results: nested, with exponent numbers and adversarial strings. */
export function adversarialJson(rand: Random, depth = 3): unknown {
  const choice = int(rand, depth > 0 ? 7 : 4);
  if (choice === 0) return adversarialText(rand, 40);
  if (choice === 1) return pick(rand, [1e20, 1e21, -2.5e-7, 123456789012345, 0.1, 42, 1.7976931348623157e308]);
  if (choice === 2) return pick(rand, [true, false, null]);
  if (choice === 3) return '';
  if (choice === 4) return Array.from({ length: int(rand, 5) }, () => adversarialJson(rand, depth - 1));
  const object: Record<string, unknown> = {};
  for (let i = int(rand, 5); i > 0; i--) object[adversarialText(rand, 12)] = adversarialJson(rand, depth - 1);
  return object;
}

/** JSON text as a client may send it: numbers in exponent form so re-serialising grows them. */
export function argumentsText(rand: Random): string {
  const args = { query: adversarialText(rand, 60), limit: 1e20, values: [1e21, 2e-7, 5e20], nested: adversarialJson(rand, 2) };
  return JSON.stringify(args)
    .replace(/100000000000000000000/g, '1e20')
    .replace(/500000000000000000000/g, '5e20');
}

export function toolSchema(rand: Random): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (let i = 1 + int(rand, 5); i > 0; i--) {
    const name = `p${i}_${adversarialText(rand, 8).replace(/[^A-Za-z0-9_]/g, '') || 'x'}`;
    properties[name] =
      rand() < 0.3
        ? { type: 'string', description: adversarialText(rand, 60), enum: Array.from({ length: 1 + int(rand, 8) }, () => adversarialText(rand, 10)) }
        : rand() < 0.5
          ? { type: 'object', properties: { inner: { type: 'number', description: adversarialText(rand, 30) } }, required: ['inner'] }
          : { type: 'array', items: { type: 'string' }, description: adversarialText(rand, 40) };
  }
  return { type: 'object', properties, required: Object.keys(properties).slice(0, 1) };
}

/** An OpenAI chat-completions body: many messages, parts, tool calls and results, tools. */
export function chatBody(rand: Random): Record<string, unknown> {
  const messages: Array<Record<string, unknown>> = [];
  if (rand() < 0.5) messages.push({ role: 'system', content: adversarialText(rand) });
  const callIds: string[] = [];
  for (let turn = 1 + int(rand, 6); turn > 0; turn--) {
    messages.push(
      rand() < 0.5
        ? { role: 'user', content: adversarialText(rand) }
        : {
            role: 'user',
            content: [
              { type: 'text', text: adversarialText(rand) },
              { type: 'text', text: adversarialText(rand, 50) },
            ],
            name: rand() < 0.3 ? 'alice' : undefined,
          },
    );
    if (rand() < 0.4) {
      const id = `call_${int(rand, 1e6)}`;
      callIds.push(id);
      messages.push({
        role: 'assistant',
        content: null,
        tool_calls: [{ id, type: 'function', function: { name: `tool_${int(rand, 3)}`, arguments: argumentsText(rand) } }],
      });
      messages.push({ role: 'tool', tool_call_id: id, content: rand() < 0.5 ? JSON.stringify(adversarialJson(rand)) : adversarialText(rand) });
    } else messages.push({ role: 'assistant', content: adversarialText(rand) });
  }
  messages.push({ role: 'user', content: adversarialText(rand) });
  const body: Record<string, unknown> = { model: 'm', messages };
  if (rand() < 0.5)
    body.tools = Array.from({ length: 1 + int(rand, 3) }, (_, i) => ({
      type: 'function',
      function: { name: `tool_${i}`, description: adversarialText(rand, 80), parameters: toolSchema(rand) },
    }));
  else if (rand() < 0.3) body.response_format = { type: 'json_schema', json_schema: { name: 'answer', schema: toolSchema(rand) } };
  return body;
}

/** An Anthropic Messages body: system blocks, tool_use, tool_result, thinking. */
export function messagesBody(rand: Random): Record<string, unknown> {
  const messages: Array<Record<string, unknown>> = [];
  for (let turn = 1 + int(rand, 5); turn > 0; turn--) {
    messages.push({ role: 'user', content: rand() < 0.5 ? adversarialText(rand) : [{ type: 'text', text: adversarialText(rand) }] });
    if (rand() < 0.5) {
      const id = `toolu_${int(rand, 1e6)}`;
      messages.push({
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: adversarialText(rand, 80), signature: 'c2lnbmF0dXJl' },
          { type: 'text', text: adversarialText(rand, 60) },
          // Anthropic's tool_use.input is always an object.
          { type: 'tool_use', id, name: 'lookup', input: { value: adversarialJson(rand) } },
        ],
      });
      messages.push({
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: id, content: rand() < 0.5 ? adversarialText(rand) : [{ type: 'text', text: adversarialText(rand) }] }],
      });
    } else messages.push({ role: 'assistant', content: adversarialText(rand) });
  }
  messages.push({ role: 'user', content: adversarialText(rand) });
  const body: Record<string, unknown> = { model: 'm', max_tokens: 100, messages };
  if (rand() < 0.6) body.system = rand() < 0.5 ? adversarialText(rand) : [{ type: 'text', text: adversarialText(rand) }];
  if (rand() < 0.5) body.tools = [{ name: 'lookup', description: adversarialText(rand, 80), input_schema: toolSchema(rand) }];
  return body;
}

/** A Responses API body: instructions, message items with parts, function calls and their outputs, function tools or a JSON format. */
export function responsesBody(rand: Random): Record<string, unknown> {
  const input: Array<Record<string, unknown>> = [];
  for (let turn = 1 + int(rand, 5); turn > 0; turn--) {
    input.push(
      rand() < 0.5
        ? { role: 'user', content: adversarialText(rand) }
        : {
            type: 'message',
            role: 'user',
            content: [
              { type: 'input_text', text: adversarialText(rand) },
              { type: 'input_text', text: adversarialText(rand, 50) },
            ],
          },
    );
    if (rand() < 0.4) {
      const id = `call_${int(rand, 1e6)}`;
      input.push({ type: 'function_call', call_id: id, name: `tool_${int(rand, 3)}`, arguments: argumentsText(rand) });
      input.push({ type: 'function_call_output', call_id: id, output: rand() < 0.5 ? JSON.stringify(adversarialJson(rand)) : adversarialText(rand) });
    } else input.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: adversarialText(rand), annotations: [] }] });
  }
  input.push({ role: 'user', content: adversarialText(rand) });
  const body: Record<string, unknown> = { model: 'm', input };
  if (rand() < 0.5) body.instructions = adversarialText(rand);
  if (rand() < 0.5)
    body.tools = Array.from({ length: 1 + int(rand, 3) }, (_, i) => ({
      type: 'function',
      name: `tool_${i}`,
      description: adversarialText(rand, 80),
      parameters: toolSchema(rand),
    }));
  else if (rand() < 0.3) body.text = { format: { type: 'json_schema', name: 'answer', schema: toolSchema(rand) } };
  return body;
}

/** A Google GenAI GenerateContentRequest: system instruction, function calls (ids or not) and responses, declarations, a schema. */
export function generateContentBody(rand: Random): Record<string, unknown> {
  const contents: Array<Record<string, unknown>> = [];
  for (let turn = 1 + int(rand, 5); turn > 0; turn--) {
    contents.push({ role: 'user', parts: [{ text: adversarialText(rand) }, ...(rand() < 0.3 ? [{ text: adversarialText(rand, 50) }] : [])] });
    if (rand() < 0.5) {
      const calls = 1 + int(rand, 3);
      const id = (k: number) => (rand() < 0.5 ? { id: `fc_${int(rand, 1e6)}_${k}` } : {});
      const made = Array.from({ length: calls }, (_, k) => ({ name: `tool_${k}`, args: { value: adversarialJson(rand) }, ...id(k) }));
      contents.push({
        role: 'model',
        parts: [
          { text: adversarialText(rand, 60), thought: true },
          { text: adversarialText(rand, 60) },
          ...made.map((call, k) => ({ functionCall: call, ...(k === 0 ? { thoughtSignature: 'c2lnbmF0dXJl' } : {}) })),
        ],
      });
      contents.push({
        role: 'user',
        parts: made.map((call) => ({
          functionResponse: { name: call.name, response: { output: rand() < 0.5 ? adversarialText(rand) : adversarialJson(rand) } },
        })),
      });
    } else contents.push({ role: 'model', parts: [{ text: adversarialText(rand) }] });
  }
  contents.push({ role: 'user', parts: [{ text: adversarialText(rand) }] });
  const body: Record<string, unknown> = { contents };
  if (rand() < 0.6) body.systemInstruction = { parts: [{ text: adversarialText(rand) }] };
  if (rand() < 0.5)
    body.tools = [
      {
        functionDeclarations: Array.from({ length: 3 }, (_, i) => ({
          name: `tool_${i}`,
          description: adversarialText(rand, 80),
          parametersJsonSchema: toolSchema(rand),
        })),
      },
    ];
  else if (rand() < 0.3) body.generationConfig = { responseMimeType: 'application/json', responseJsonSchema: toolSchema(rand) };
  return body;
}
