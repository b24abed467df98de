/** Route decoration (Kong's ai-prompt-decorator) per format, and a rendered template put into a request. */
import { applyRenderedTemplate } from '../../../lib/templates/apply';
import { decorateRequest, parseDecoration } from '../../../lib/templates/decorate';
import type { TemplateMessage } from '../../../lib/templates/model';
import { parseTemplateSelection } from '../../../lib/templates/selection';

const PREPEND: TemplateMessage[] = [
  { role: 'system', content: 'Answer in French.' },
  { role: 'user', content: 'Consider you are a mathematician.' },
  { role: 'assistant', content: 'Okay.' },
];
const APPEND: TemplateMessage[] = [
  { role: 'developer', content: 'Answer in JSON.' },
  { role: 'user', content: 'Be brief.' },
];

describe('OpenAI chat', () => {
  const body = { model: 'm', messages: [{ role: 'user', content: 'What is 1 + 1?', name: 'ann' }] };

  test("prepend and append in order, the request's messages untouched between", () => {
    const decorated = decorateRequest(body, 'openai', { prepend: PREPEND, append: APPEND });
    expect(decorated).toEqual({ model: 'm', messages: [...PREPEND, body.messages[0], ...APPEND] });
    expect(body.messages).toHaveLength(1);
  });

  test('no messages yet: the decoration is all there is; a malformed field is left for the validator', () => {
    expect(decorateRequest({ model: 'm' }, 'openai', { append: APPEND }).messages).toEqual(APPEND);
    expect(decorateRequest({ messages: 'x' }, 'openai', { append: APPEND }).messages).toBe('x');
  });
});

describe('Anthropic messages', () => {
  test('system and developer into the top-level system (before and after its blocks), turns into messages', () => {
    const body = {
      model: 'm',
      system: [{ type: 'text', text: 'Existing.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'Hi' }],
    };
    expect(decorateRequest(body, 'anthropic', { prepend: PREPEND, append: APPEND })).toEqual({
      model: 'm',
      system: [
        { type: 'text', text: 'Answer in French.' },
        { type: 'text', text: 'Existing.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Answer in JSON.' },
      ],
      messages: [
        { role: 'user', content: 'Consider you are a mathematician.' },
        { role: 'assistant', content: 'Okay.' },
        { role: 'user', content: 'Hi' },
        { role: 'user', content: 'Be brief.' },
      ],
    });
  });

  test('a string system becomes blocks around it; no system at all gets one; no system change leaves it alone', () => {
    expect(decorateRequest({ system: 'S', messages: [] }, 'anthropic', { prepend: [PREPEND[0]] }).system).toEqual([
      { type: 'text', text: 'Answer in French.' },
      { type: 'text', text: 'S' },
    ]);
    expect(decorateRequest({ messages: [] }, 'anthropic', { append: [APPEND[0]] }).system).toEqual([{ type: 'text', text: 'Answer in JSON.' }]);
    expect(decorateRequest({ system: 'S', messages: [] }, 'anthropic', { prepend: [PREPEND[1]] }).system).toBe('S');
  });
});

describe('Responses', () => {
  test('into input; a string input becomes the user message it stands for; instructions untouched', () => {
    const decorated = decorateRequest({ model: 'm', instructions: 'I', input: 'Hello' }, 'responses', { prepend: [PREPEND[0]], append: [APPEND[1]] });
    expect(decorated).toEqual({
      model: 'm',
      instructions: 'I',
      input: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Hello' },
        { role: 'user', content: 'Be brief.' },
      ],
    });
  });

  test('items of any type stay in place', () => {
    const call = { type: 'function_call_output', call_id: 'c', output: '1' };
    expect(decorateRequest({ input: [call] }, 'responses', { prepend: [PREPEND[1]] }).input).toEqual([{ role: 'user', content: PREPEND[1].content }, call]);
  });
});

describe('a rendered template put into the request', () => {
  const rendered = {
    kind: 'chat',
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: '' },
      { role: 'user', content: 'Order 42' },
    ],
  } as const;

  test("Kong's reference: the messages field and properties are replaced; the template's defaults fill gaps only", () => {
    const body = { messages: '{template://support}', properties: { id: '42' }, temperature: 1 };
    const selection = parseTemplateSelection(body)!;
    expect(applyRenderedTemplate(body, 'openai', selection, rendered, { model: 'gpt-4o-mini', params: { temperature: 0.2, max_tokens: 100 } })).toEqual({
      model: 'gpt-4o-mini',
      temperature: 1,
      max_tokens: 100,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Order 42' },
      ],
    });
  });

  test("OpenAI's prompt object on Anthropic messages: removed, system to the top level, before the request's turns; the client's model wins", () => {
    const body = { model: 'claude', prompt: { id: 'support' }, messages: [{ role: 'user', content: 'And?' }], max_tokens: 10 };
    const selection = parseTemplateSelection(body)!;
    expect(applyRenderedTemplate(body, 'anthropic', selection, rendered, { model: 'gpt-4o-mini' })).toEqual({
      model: 'claude',
      max_tokens: 10,
      system: [{ type: 'text', text: 'You are terse.' }],
      messages: [
        { role: 'user', content: 'Order 42' },
        { role: 'user', content: 'And?' },
      ],
    });
  });

  test('a text template on Responses is one user message before the input', () => {
    const body = { model: 'm', prompt: { id: 'summary' }, input: 'doc' };
    const selection = parseTemplateSelection(body)!;
    expect(applyRenderedTemplate(body, 'responses', selection, { kind: 'text', text: 'Summarise.' }, {})).toEqual({
      model: 'm',
      input: [
        { role: 'user', content: 'Summarise.' },
        { role: 'user', content: 'doc' },
      ],
    });
  });
});

describe('decoration from configuration', () => {
  test('roles and content are checked, as Kong checks them (with larger bounds)', () => {
    expect(parseDecoration({ prepend: PREPEND })).toEqual({ prepend: PREPEND, append: [] });
    expect(() => parseDecoration({ append: [{ role: 'tool', content: 'x' }] })).toThrow("'append.0.role' must be one of system, developer, user, assistant");
    expect(() => parseDecoration({ prepend: [{ role: 'user', content: '' }] })).toThrow("'prepend.0.content' must be text of 1 to 65536 characters");
    expect(() => parseDecoration({ prepend: Array(33).fill(PREPEND[0]) })).toThrow('at most 32 messages');
    expect(() => parseDecoration('x')).toThrow('must be an object');
  });
});
