/** Template selection from request bodies (OpenAI's prompt object, Kong's {template://name}) and version resolution. */
import type { ResponseCreateParams } from 'openai/resources/responses/responses';
import { parseTemplateSelection, resolveVersion, type TemplateVersions } from '../../../lib/templates/selection';
import { errorOf } from './helpers';

describe("OpenAI's prompt object", () => {
  test('as the OpenAI SDK types it: id, version, variables (strings and input_text)', () => {
    const body: ResponseCreateParams = {
      model: 'gpt-4o',
      prompt: { id: 'support', version: '3', variables: { customer: 'Ann', question: { type: 'input_text', text: 'Where is my order?' } } },
    };
    expect(parseTemplateSelection(body as unknown as Record<string, unknown>)).toEqual({
      syntax: 'prompt',
      name: 'support',
      selector: { kind: 'version', version: 3 },
      variables: { customer: 'Ann', question: 'Where is my order?' },
      variablesParam: 'prompt.variables',
      field: 'prompt',
    });
  });

  test.each([
    ['production', { kind: 'label', label: 'production' }],
    ['staging', { kind: 'label', label: 'staging' }],
    ['latest', { kind: 'label', label: 'latest' }],
    ['v2', { kind: 'label', label: 'v2' }],
    ['12', { kind: 'version', version: 12 }],
    [7, { kind: 'version', version: 7 }],
    [null, { kind: 'default' }],
    [undefined, { kind: 'default' }],
  ])('version %p selects %p', (version, selector) => {
    expect(parseTemplateSelection({ prompt: { id: 'a', version } })?.selector).toEqual(selector);
  });

  test.each([
    [{ prompt: 'support' }, 'prompt', /must be an object/],
    [{ prompt: { version: '1' } }, 'prompt.id', /template name/],
    [{ prompt: { id: '../x' } }, 'prompt.id', /template name/],
    [{ prompt: { id: 'a', version: '01' } }, 'prompt.version', /version number .* or a label/],
    [{ prompt: { id: 'a', version: '0' } }, 'prompt.version', /version number/],
    [{ prompt: { id: 'a', version: '1234567890' } }, 'prompt.version', /version number/],
    [{ prompt: { id: 'a', version: 'pro duction' } }, 'prompt.version', /label name/],
    [{ prompt: { id: 'a', version: 1.5 } }, 'prompt.version', /must be a string/],
    [{ prompt: { id: 'a', label: 'x' } }, 'prompt.label', /Unknown parameter/],
    [{ prompt: { id: 'a', variables: 'x' } }, 'prompt.variables', /must be an object/],
    [{ prompt: { id: 'a', variables: { img: { type: 'input_image', image_url: 'https://x' } } } }, 'prompt.variables.img', /only strings and input_text/],
    [{ prompt: { id: 'a', variables: { t: { type: 'input_text' } } } }, 'prompt.variables.t', /only strings and input_text/],
    [{ prompt: { id: 'a' }, properties: {} }, 'properties', /prompt.variables/],
  ])('%j → 400 on %s', (body, param, message) => {
    const error = errorOf(() => parseTemplateSelection(body));
    expect(error).toMatchObject({ code: 'invalid_selection', status: 400, details: { param } });
    expect(error.message).toMatch(message);
  });

  test('typed values pass through for typed variables', () => {
    expect(parseTemplateSelection({ prompt: { id: 'a', variables: { n: 3, list: [1], obj: { type: 'custom' } } } })?.variables).toEqual({
      n: 3,
      list: [1],
      obj: { type: 'custom' },
    });
  });

  test('no selection: a raw prompt', () => {
    expect(parseTemplateSelection({ messages: [{ role: 'user', content: 'hi' }] })).toBeNull();
    expect(parseTemplateSelection({ messages: 'plain text' })).toBeNull();
    expect(parseTemplateSelection({ prompt: null, input: 'x' })).toBeNull();
  });
});

describe("Kong's {template://name}", () => {
  test("in messages with properties, as Kong's ai-prompt-template takes it", () => {
    expect(parseTemplateSelection({ messages: '{template://developer-chat}', properties: { language: 'python', program: 'flask web server' } })).toEqual({
      syntax: 'kong',
      name: 'developer-chat',
      selector: { kind: 'default' },
      variables: { language: 'python', program: 'flask web server' },
      variablesParam: 'properties',
      field: 'messages',
    });
  });

  test("in prompt (Kong's completions form), without properties", () => {
    expect(parseTemplateSelection({ prompt: '{template://summary}' })).toMatchObject({ name: 'summary', field: 'prompt', variables: {} });
  });

  test('an @version or @label suffix selects a version', () => {
    expect(parseTemplateSelection({ messages: '{template://a@4}' })?.selector).toEqual({ kind: 'version', version: 4 });
    expect(parseTemplateSelection({ messages: '{template://a@staging}' })?.selector).toEqual({ kind: 'label', label: 'staging' });
  });

  test.each([
    [{ messages: '{template://}' }, 'messages', /names no valid template/],
    [{ messages: '{template://a b}' }, 'messages', /names no valid template/],
    [{ messages: '{template://a@}' }, 'messages', /version number/],
    [{ messages: '{template://a}', properties: ['x'] }, 'properties', /must be an object/],
    [{ messages: '{template://a}', properties: { n: 3 } }, 'properties.n', /must be strings; 'n' is a number/],
    [{ messages: '{template://a}', prompt: '{template://b}' }, 'prompt', /at the same time/],
    [{ messages: '{template://a}', prompt: { id: 'b' } }, 'prompt', /at the same time/],
  ])('%j → 400 on %s', (body, param, message) => {
    const error = errorOf(() => parseTemplateSelection(body));
    expect(error).toMatchObject({ code: 'invalid_selection', details: { param } });
    expect(error.message).toMatch(message);
  });

  test('a string that only looks similar is not a reference', () => {
    expect(parseTemplateSelection({ messages: '{template:/a}' })).toBeNull();
    expect(parseTemplateSelection({ messages: 'x {template://a}' })).toBeNull();
  });
});

describe('resolving the version', () => {
  const versions: TemplateVersions = {
    latestVersion: 5,
    labels: new Map([
      ['production', 3],
      ['staging', 5],
    ]),
  };

  test.each([
    [{ kind: 'version', version: 2 }, 2],
    [{ kind: 'label', label: 'staging' }, 5],
    [{ kind: 'label', label: 'latest' }, 5],
    [{ kind: 'default' }, 3],
  ] as const)('%j → %d', (selector, version) => {
    expect(resolveVersion('support', selector, versions, 'prompt.id')).toBe(version);
  });

  test('default without a production label is the latest version', () => {
    expect(resolveVersion('a', { kind: 'default' }, { latestVersion: 2, labels: new Map() }, 'prompt.id')).toBe(2);
  });

  test.each([
    [undefined, { kind: 'default' }, "Template 'support' does not exist"],
    [versions, { kind: 'version', version: 6 }, "Template 'support' has no version 6 (latest: 5)"],
    [versions, { kind: 'label', label: 'canary' }, "Template 'support' has no label 'canary'"],
  ] as const)('404 naming what is missing', (known, selector, message) => {
    expect(errorOf(() => resolveVersion('support', selector, known, 'prompt.id'))).toMatchObject({ code: 'template_not_found', status: 404, message });
  });
});
