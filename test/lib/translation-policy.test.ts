/**
 * lib/translation-policy on its own: which features a body has, how a plan of several families is
 * judged, inert values, what is counted, hostile field names, and docs/translation-policy.md
 * rendered from the rules (so the documented policy is the one the code applies).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanTarget } from '../../lib/plan';
import { ANTHROPIC_RULES, droppedFeatures, FAMILIES, GOOGLE_RULES, OPENAI_RULES, planRefusal, RESPONSES_RULES, type Rule } from '../../lib/translation-policy';
import { REPO_ROOT } from '../harness/repo-root';

const on = (...providers: Array<PlanTarget['provider']>) => providers.map((provider) => ({ provider }));
const messages = { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] };
const chat = { model: 'm', messages: [{ role: 'user', content: 'Hi' }] };
const generate = { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] };

describe('a plan is judged on every family it holds', () => {
  it('takes what all its targets can take: Claude alone takes a container, Claude with an OpenAI fallback does not', () => {
    const body = { ...messages, container: 'container_1' };
    expect(planRefusal('anthropic', body, on('anthropic'))).toBeNull();
    const refused = planRefusal('anthropic', body, on('anthropic', 'openai', 'groq'));
    expect(refused).toMatchObject({ status: 400, param: 'container', code: null });
    expect(refused?.message).toBe(
      'container: this field cannot be sent to OpenAI-format models through the gateway (a code-execution container lives in Anthropic’s API)',
    );
  });

  it('names the first thing refused, where it sits, in the client’s own terms', () => {
    const body = { ...messages, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'search_result' }] }] };
    expect(planRefusal('anthropic', body, on('gemini'))?.message).toMatch(
      /^messages\.0\.content\.1: content block type 'search_result' cannot be sent to Gemini models/,
    );
    const tools = { ...chat, tools: [{ type: 'custom', custom: { name: 'grep' } }] };
    expect(planRefusal('openai', tools, on('openai', 'anthropic'))).toMatchObject({ param: 'tools[0]', code: 'unsupported_for_provider' });
  });

  it('names a Google client’s field as Google does, with Google’s reason for it', () => {
    const body = { ...generate, tools: [{ functionDeclarations: [{ name: 'f' }] }, { googleSearch: {} }] };
    expect(planRefusal('google', body, on('gemini'))).toBeNull();
    const refused = planRefusal('google', body, on('gemini', 'anthropic'));
    expect(refused).toMatchObject({ status: 400, param: 'tools[1].googleSearch', code: 'unsupported_for_provider' });
    expect(refused?.message).toBe(
      '* GenerateContentRequest.tools[1].googleSearch: the googleSearch tool cannot be sent to Anthropic models through the gateway (Google Search grounding runs inside Google’s API).',
    );
    const part = { contents: [{ role: 'user', parts: [{ text: 'Hi' }, { inlineData: { mimeType: 'video/mp4', data: 'AAAA' } }] }] };
    expect(planRefusal('google', part, on('openai'))).toMatchObject({ param: 'contents[0].parts[1].inlineData' });
  });

  it('passes an OpenAI client’s request to OpenAI-format targets whatever it holds', () => {
    expect(planRefusal('openai', { ...chat, functions: [{ name: 'f' }], vendor_extension: 1 }, on('openai', 'azure', 'vllm'))).toBeNull();
  });
});

describe('values that ask for nothing are not features', () => {
  it.each([
    ['logprobs: false on Claude', 'openai', { ...chat, logprobs: false }, 'anthropic'],
    ['store: false on Gemini', 'openai', { ...chat, store: false }, 'gemini'],
    ['parallel_tool_calls: true on Gemini', 'openai', { ...chat, parallel_tool_calls: true }, 'gemini'],
    ['modalities: [text] on Claude', 'openai', { ...chat, modalities: ['text'] }, 'anthropic'],
    ['disable_parallel_tool_use: false on Gemini', 'anthropic', { ...messages, tool_choice: { type: 'auto', disable_parallel_tool_use: false } }, 'gemini'],
    [
      'is_error: false on OpenAI',
      'anthropic',
      { ...messages, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', is_error: false }] }] },
      'openai',
    ],
    ['responseModalities: [TEXT] on OpenAI', 'google', { ...generate, generationConfig: { responseModalities: ['TEXT'] } }, 'openai'],
    ['candidateCount: 1 on Claude', 'google', { ...generate, generationConfig: { candidateCount: 1 } }, 'anthropic'],
    ['thought: false on Claude', 'google', { contents: [{ role: 'user', parts: [{ text: 'Hi', thought: false }] }] }, 'anthropic'],
  ] as const)('%s', (_name, format, body, provider) => {
    expect(planRefusal(format, body, on(provider))).toBeNull();
    expect(droppedFeatures(format, body, provider)).toEqual([]);
  });

  it('their other values are', () => {
    expect(planRefusal('openai', { ...chat, logprobs: true }, on('anthropic'))).toMatchObject({ param: 'logprobs' });
    expect(droppedFeatures('openai', { ...chat, modalities: ['text', 'audio'] }, 'anthropic')).toEqual(['modalities']);
  });
});

describe('what is dropped', () => {
  it('is named once per feature, however often it occurs', () => {
    const cached = { type: 'text', text: 'x', cache_control: { type: 'ephemeral' } };
    const body = { ...messages, top_k: 3, system: [cached], messages: [{ role: 'user', content: [cached, cached] }] };
    expect(droppedFeatures('anthropic', body, 'openai')).toEqual(['top_k', 'cache_control']);
    expect(droppedFeatures('anthropic', body, 'gemini')).toEqual(['cache_control']);
    expect(droppedFeatures('anthropic', body, 'anthropic')).toEqual([]);
  });

  it('by a Google client is named by its place in the body’s configs and parts', () => {
    const thought = { text: 'Hmm.', thought: true, thoughtSignature: 'c2ln' };
    const body = {
      contents: [{ role: 'model', parts: [thought, thought] }],
      safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
      generationConfig: { seed: 1, thinkingConfig: { includeThoughts: true } },
    };
    expect(droppedFeatures('google', body, 'anthropic')).toEqual([
      'part:thought',
      'part:thoughtSignature',
      'safetySettings',
      'generationConfig.seed',
      'generationConfig.thinkingConfig.includeThoughts',
    ]);
    expect(droppedFeatures('google', body, 'openai')).not.toContain('generationConfig.seed');
    expect(droppedFeatures('google', body, 'gemini')).toEqual([]);
  });
});

describe('/v1/responses', () => {
  const responses = { model: 'm', input: [{ role: 'user', content: 'Hi' }] };
  const replayed = {
    ...responses,
    input: [
      { type: 'reasoning', summary: [], encrypted_content: 'x' },
      { type: 'reasoning', summary: [] },
      { role: 'user', content: 'Hi' },
    ],
    include: ['reasoning.encrypted_content'],
    metadata: { team: 'a' },
  };

  it('counts what translation leaves out, once per feature, on every translated family', () => {
    expect(droppedFeatures('responses', replayed, 'anthropic')).toEqual(['include', 'metadata', 'item:reasoning']);
    expect(droppedFeatures('responses', { ...replayed, safety_identifier: 's' }, 'openai')).toEqual(['include', 'metadata', 'item:reasoning']);
    expect(droppedFeatures('responses', { ...replayed, safety_identifier: 's' }, 'gemini')).toContain('safety_identifier');
  });

  it('passes what OpenAI’s own API serves, and judges the rest of its family as translated', () => {
    const body = { ...responses, vendor_extension: 1 };
    expect(planRefusal('responses', body, on('openai'))).toBeNull();
    expect(planRefusal('responses', body, on('openai', 'groq'))).toMatchObject({ status: 400, param: 'vendor_extension', code: 'unknown_parameter' });
    expect(planRefusal('responses', { ...responses, input: [{ type: 'web_search_call' }] }, on('azure'))).toMatchObject({ param: 'input[0]' });
  });
});

describe('hostile field names', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])('%s is an unknown field, never an inherited rule', (name) => {
    const body = JSON.parse(`{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"Hi"}],"${name}":{"x":1}}`) as Record<string, unknown>;
    expect(planRefusal('anthropic', body, on('openai'))).toMatchObject({ status: 400, param: name });
    const nested = { ...messages, output_config: JSON.parse(`{"${name}":1}`) };
    expect(planRefusal('anthropic', nested, on('openai'))).toMatchObject({ param: `output_config.${name}` });
    const google = { ...generate, toolConfig: { functionCallingConfig: JSON.parse(`{"${name}":1}`) } };
    expect(planRefusal('google', google, on('openai'))).toMatchObject({ param: `toolConfig.functionCallingConfig.${name}`, code: 'unknown_parameter' });
  });
});

// ---- docs/translation-policy.md is the rules, rendered ----

const LABEL = { translated: 'translated', dropped: '**dropped**', refused: '**refused**', passed: 'passed' } as const;

function table(rules: Readonly<Record<string, Rule>>): string {
  const rows = Object.entries(rules).map(([id, rule]) => {
    const inert = rule.inert ? ` (absent when ${rule.inert.map((v) => `\`${JSON.stringify(v)}\``).join(' or ')})` : '';
    return `| \`${id}\`${inert} | ${FAMILIES.map((family) => LABEL[rule.to[family]]).join(' | ')} | ${rule.note} |`;
  });
  return [`| feature | ${FAMILIES.join(' | ')} | what it becomes, or why not |`, `|---|${FAMILIES.map(() => '---|').join('')}---|`, ...rows].join('\n');
}

it('docs/translation-policy.md lists every rule as the code applies it', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs/translation-policy.md'), 'utf8');
  const rendered = {
    '/v1/messages': table(ANTHROPIC_RULES),
    '/v1/chat/completions': table(OPENAI_RULES),
    '/v1/responses': table(RESPONSES_RULES),
    '/v1beta/models/{model}:generateContent': table(GOOGLE_RULES),
  };
  for (const [endpoint, expected] of Object.entries(rendered)) {
    if (!doc.includes(expected)) throw new Error(`docs/translation-policy.md: the ${endpoint} table should read:\n\n${expected}\n`);
  }
});
