/** Template definitions, variable checks, rendering chat templates to messages, and the template hash. */
import { TEMPLATE_BOUNDS } from '../../../lib/templates';
import { parseTemplateDefinition, type TemplateDefinition } from '../../../lib/templates/model';
import { prepareTemplate, renderTemplate, templateHash } from '../../../lib/templates/prepare';
import { resolveVariables } from '../../../lib/templates/variables';
import { errorOf } from './helpers';

const SUPPORT = {
  kind: 'chat',
  messages: [
    { role: 'system', content: '{{> tone}}\nYou help customers of {{company}}.' },
    { role: 'user', content: 'Order {{order_id}}:\n{{#items}}\n- {{name}} x{{quantity}}\n{{/items}}\n{{^items}}\n(no items)\n{{/items}}' },
  ],
  variables: [
    { name: 'company', type: 'string', default: 'ACME' },
    { name: 'order_id', type: 'number' },
    { name: 'items', type: 'array', default: [] },
    { name: 'urgent', type: 'boolean', default: false },
  ],
  model: 'gpt-4o-mini',
  params: { temperature: 0.2 },
};
// A standalone partial tag's line is replaced by the partial: a partial that is a line ends with its newline (Mustache's rule).
const PARTIALS = new Map([['tone', 'Be brief and kind.\n']]);

describe('rendering a chat template', () => {
  const prepared = prepareTemplate(parseTemplateDefinition(SUPPORT), PARTIALS);

  test('renders to messages, with partials, sections and defaults', () => {
    const rendered = renderTemplate(
      prepared,
      {
        order_id: 42,
        items: [
          { name: 'cable', quantity: 2 },
          { name: 'plug', quantity: 1 },
        ],
      },
      { param: 'prompt.variables' },
    );
    expect(rendered).toEqual({
      kind: 'chat',
      messages: [
        { role: 'system', content: 'Be brief and kind.\nYou help customers of ACME.' },
        { role: 'user', content: 'Order 42:\n- cable x2\n- plug x1\n' },
      ],
    });
  });

  test('defaults fill what is not given; inverted sections see them', () => {
    const rendered = renderTemplate(prepared, { order_id: '7', company: 'Initech' }, { param: 'prompt.variables' });
    expect(rendered.kind === 'chat' && rendered.messages.map((m) => m.content)).toEqual([
      'Be brief and kind.\nYou help customers of Initech.',
      'Order 7:\n(no items)\n',
    ]);
  });

  test('records the partials it reaches', () => {
    expect(prepared.partials).toEqual(['tone']);
  });

  test('a text template renders to one string', () => {
    const text = prepareTemplate(parseTemplateDefinition({ kind: 'text', text: 'Summarise: {{doc}}', variables: [{ name: 'doc' }] }), new Map());
    expect(renderTemplate(text, { doc: 'a < b' }, { param: 'properties' })).toEqual({ kind: 'text', text: 'Summarise: a < b' });
  });

  test('one output budget for all messages of a request', () => {
    const twice = prepareTemplate(
      parseTemplateDefinition({
        kind: 'chat',
        messages: [
          { role: 'system', content: '{{x}}' },
          { role: 'user', content: '{{x}}' },
        ],
        variables: [{ name: 'x' }],
      }),
      new Map(),
    );
    const limits = { maxOutputChars: 150, maxExpansions: 100 };
    expect(() => renderTemplate(twice, { x: 'a'.repeat(70) }, { param: 'p', limits })).not.toThrow();
    expect(errorOf(() => renderTemplate(twice, { x: 'a'.repeat(80) }, { param: 'p', limits })).code).toBe('render_limit');
  });

  test('a syntax error in a message names the message and position', () => {
    const definition = parseTemplateDefinition({
      kind: 'chat',
      messages: [
        { role: 'user', content: 'ok' },
        { role: 'user', content: 'a\n {{#x}}' },
      ],
    });
    const error = errorOf(() => prepareTemplate(definition, new Map()));
    expect(error.details).toMatchObject({ param: 'messages.1.content', line: 2, column: 2 });
  });

  test('a syntax error in a partial names the partial', () => {
    const definition = parseTemplateDefinition({ kind: 'text', text: '{{> p}}' });
    expect(errorOf(() => prepareTemplate(definition, new Map([['p', '{{/x}}']]))).details.param).toBe('partials.p');
  });
});

describe('variables', () => {
  const declarations = parseTemplateDefinition(SUPPORT).variables;

  test('missing and undeclared variables: one error naming all of them', () => {
    const error = errorOf(() => resolveVariables([...declarations, { name: 'customer' }], { extra_one: 'x', 'extra-two': 1 }, 'prompt.variables'));
    expect(error.code).toBe('invalid_variables');
    expect(error.status).toBe(400);
    expect(error.message).toBe('Template variables missing order_id, customer; not declared by the template: extra_one, extra-two');
    expect(error.details).toEqual({ param: 'prompt.variables', names: ['order_id', 'customer', 'extra_one', 'extra-two'] });
  });

  test('wrong types: the error names each variable and what it wanted', () => {
    const error = errorOf(() => resolveVariables(declarations, { order_id: 'forty', items: 'none', urgent: 'yes' }, 'prompt.variables'));
    expect(error.message).toBe(
      "Template variable 'order_id' must be a number, got a string; 'items' must be an array, got a string; 'urgent' must be a boolean, got a string",
    );
    expect(error.details).toEqual({ param: 'prompt.variables.order_id', names: ['order_id', 'items', 'urgent'] });
  });

  test('strings spelling numbers and booleans fill typed variables (OpenAI and Kong send strings)', () => {
    expect(resolveVariables(declarations, { order_id: '-1.5e3', urgent: 'true' }, 'p')).toMatchObject({ order_id: -1500, urgent: true });
    for (const notANumber of ['', ' 1', '1.', '.5', '0x10', 'Infinity', '1'.repeat(65)])
      expect(errorOf(() => resolveVariables(declarations, { order_id: notANumber }, 'p')).code).toBe('invalid_variables');
  });

  test('untyped variables take any JSON value; null and a missing object are no variables', () => {
    expect(resolveVariables([{ name: 'data' }], { data: { a: [1, null] } }, 'p')).toEqual({ data: { a: [1, null] } });
    expect(resolveVariables([], null, 'p')).toEqual({});
    expect(resolveVariables([], undefined, 'p')).toEqual({});
    expect(errorOf(() => resolveVariables([], ['x'], 'p')).message).toMatch(/must be an object/);
  });

  test('values are bounded in count, size and depth', () => {
    let deep: unknown = 'x';
    for (let level = 0; level < TEMPLATE_BOUNDS.MAX_VARIABLE_DEPTH; level++) deep = [deep];
    expect(() => resolveVariables([{ name: 'd' }], { d: deep }, 'p')).not.toThrow();
    expect(errorOf(() => resolveVariables([{ name: 'd' }], { d: [deep] }, 'p')).message).toMatch(/nests deeper than 16/);
    expect(errorOf(() => resolveVariables([{ name: 'd' }], { d: 'x'.repeat(TEMPLATE_BOUNDS.MAX_VARIABLES_JSON_CHARS) }, 'p')).message).toMatch(/larger than/);
    const many = Object.fromEntries(Array.from({ length: TEMPLATE_BOUNDS.MAX_VARIABLES + 1 }, (_, index) => [`v${index}`, '']));
    expect(errorOf(() => resolveVariables([], many, 'p')).message).toMatch(/257 variables/);
  });

  test('a prototype name is just an undeclared variable', () => {
    expect(errorOf(() => resolveVariables([], JSON.parse('{"__proto__": {"x": 1}}'), 'p')).details.names).toEqual(['__proto__']);
  });
});

describe('template definitions', () => {
  test.each([
    ['not an object', [], '', /JSON object/],
    ['unknown kind', { kind: 'html' }, 'kind', /'chat' or 'text'/],
    ['unknown field', { kind: 'text', text: '', extra: 1 }, 'extra', /Unknown field/],
    ['text without text', { kind: 'text' }, 'text', /needs 'text'/],
    ['chat without messages', { kind: 'chat', messages: [] }, 'messages', /1 to 64 messages/],
    ['bad role', { kind: 'chat', messages: [{ role: 'tool', content: 'x' }] }, 'messages.0.role', /system, developer, user, assistant/],
    ['content not a string', { kind: 'chat', messages: [{ role: 'user', content: [] }] }, 'messages.0.content', /template string/],
    ['bad variable name', { kind: 'text', text: '', variables: [{ name: '1st' }] }, 'variables.0.name', /variable name/],
    ['variable twice', { kind: 'text', text: '', variables: [{ name: 'a' }, { name: 'a' }] }, 'variables.1.name', /declared twice/],
    ['unknown type', { kind: 'text', text: '', variables: [{ name: 'a', type: 'date' }] }, 'variables.0.type', /one of string, number/],
    [
      'default of the wrong type',
      { kind: 'text', text: '', variables: [{ name: 'a', type: 'number', default: 'x' }] },
      'variables.0.default',
      /must be a number, got a string/,
    ],
    ['params setting messages', { kind: 'text', text: '', params: { messages: [] } }, 'params.messages', /cannot set 'messages'/],
    ['params too large', { kind: 'text', text: '', params: { stop: 'x'.repeat(20_000) } }, 'params', /larger than/],
    ['empty model', { kind: 'text', text: '', model: '' }, 'model', /model name/],
  ])('%s', (_name, input, param, message) => {
    const error = errorOf(() => parseTemplateDefinition(input));
    expect(error.code).toBe('invalid_template');
    expect(error.details.param).toBe(param);
    expect(error.message).toMatch(message);
  });

  test('a default that spells its type is stored as that type', () => {
    expect(parseTemplateDefinition({ kind: 'text', text: '', variables: [{ name: 'n', type: 'number', default: '3' }] }).variables[0].default).toBe(3);
  });
});

describe('template hash', () => {
  const definition = parseTemplateDefinition(SUPPORT);
  const hash = prepareTemplate(definition, PARTIALS).hash;

  test('is a sha256, the same for the same content whatever the key or declaration order', () => {
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    const reordered = { ...definition, variables: [...definition.variables].reverse(), params: { ...definition.params } } as TemplateDefinition;
    expect(prepareTemplate(reordered, PARTIALS).hash).toBe(hash);
    expect(templateHash(definition, PARTIALS)).toBe(hash);
  });

  test('changes with a message, a default, the model, the params and the partials it uses', () => {
    const changed = (patch: Record<string, unknown>) => prepareTemplate(parseTemplateDefinition({ ...SUPPORT, ...patch }), PARTIALS).hash;
    expect(changed({ messages: [SUPPORT.messages[0], { role: 'user', content: 'Order {{order_id}}' }] })).not.toBe(hash);
    expect(changed({ variables: [{ ...SUPPORT.variables[0], default: 'Initech' }, ...SUPPORT.variables.slice(1)] })).not.toBe(hash);
    expect(changed({ model: 'gpt-4o' })).not.toBe(hash);
    expect(changed({ params: { temperature: 0.3 } })).not.toBe(hash);
    expect(prepareTemplate(definition, new Map([['tone', 'Be formal.']])).hash).not.toBe(hash);
  });

  test('partials the template does not use do not change it', () => {
    expect(prepareTemplate(definition, new Map([...PARTIALS, ['unused', 'x']])).hash).toBe(hash);
  });
});
