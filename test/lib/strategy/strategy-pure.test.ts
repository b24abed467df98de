/**
 * The pure parts of cascades and strategies: prefix and field parsing (hostile names included),
 * answer extraction and voting, the scoring rule, judge replies, the schema validator, refusal
 * and JSON checks, and text cut to a reservation's bound.
 */
import type { ChatCompletion } from '../../../lib/openai-types';
import { isJsonAnswer, isRefusal, matchesResponseSchema } from '../../../lib/strategy/answer-checks';
import { validatesAgainst } from '../../../lib/strategy/json-schema-check';
import { parseJudgeNumber } from '../../../lib/strategy/judge-score';
import { keyAllows, keyStrategiesOf, strategyBaseModel, strategyFromField, strategyFromModel } from '../../../lib/strategy/select';
import { cutToBound } from '../../../lib/strategy/shown-text';
import { extractFinalAnswer, longestAcceptable, majorityIndex } from '../../../lib/strategy/vote';
import { textBound } from '../../../lib/tokens/string-bound';

const completion = (content: string | null, extra: Partial<ChatCompletion['choices'][0]> = {}): ChatCompletion => ({
  id: 'c',
  object: 'chat.completion',
  created: 0,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop', ...extra }],
});

describe('strategy prefixes', () => {
  test.each([
    ['bon-gpt-4o', { name: 'bon', n: null, model: 'gpt-4o' }],
    ['bon-3-gpt-4o', { name: 'bon', n: 3, model: 'gpt-4o' }],
    ['sc-5-claude-sonnet', { name: 'sc', n: 5, model: 'claude-sonnet' }],
    ['self_consistency-5-x', { name: 'sc', n: 5, model: 'x' }],
    ['moa-gpt-4o', { name: 'moa', n: null, model: 'gpt-4o' }],
    ['re2-gpt-4o-mini', { name: 're2', n: null, model: 'gpt-4o-mini' }],
    ['plan-3-gpt', { name: 'plan', n: null, model: '3-gpt' }],
  ])('%s', (name, expected) => expect(strategyFromModel(name)).toEqual(expected));

  test('names without a prefix select nothing', () => {
    expect(strategyFromModel('gpt-4o')).toBeNull();
    expect(strategyFromModel('bonsai')).toBeNull();
    expect(strategyBaseModel('gpt-4o')).toBeNull();
  });

  test.each(['bon--gpt', 'bon-', 'bon-3-', 'sc-999999-x', 'bon-3x-y'.replace('x-y', '')])('%s is a 400, never a huge count', (name) => {
    const parsed = strategyFromModel(name);
    expect(parsed).toMatchObject({ status: 400, code: 'invalid_strategy' });
  });

  test('a 4-digit count parses (the route caps it), a very long name stays linear and bounded in the message', () => {
    expect(strategyFromModel('bon-9999-x')).toMatchObject({ n: 9999, model: 'x' });
    const long = `bon-${'9'.repeat(100_000)}-x`;
    const started = performance.now();
    const parsed = strategyFromModel(long);
    expect(performance.now() - started).toBeLessThan(50);
    expect(parsed).toMatchObject({ status: 400 });
    expect((parsed as { message: string }).message.length).toBeLessThan(300);
  });

  test('the aigw_strategy field', () => {
    expect(strategyFromField(undefined, 'm')).toBeNull();
    expect(strategyFromField({ name: 'bon', n: 2 }, 'm')).toEqual({ name: 'bon', n: 2, model: 'm' });
    expect(strategyFromField({ name: 'self_consistency' }, 'm')).toEqual({ name: 'sc', n: null, model: 'm' });
    for (const bad of [[], 'bon', { name: 'tot' }, { name: 'bon', n: 0 }, { name: 'bon', n: 1.5 }, { name: 'bon', extra: 1 }]) {
      expect(strategyFromField(bad, 'm')).toMatchObject({ status: 400, param: 'aigw_strategy' });
    }
  });

  test("a key's metadata limits its strategies; absent, it does not", () => {
    expect(keyStrategiesOf({})).toBeUndefined();
    expect(keyStrategiesOf({ strategies: [] })).toBe('');
    expect(keyAllows(undefined, 'moa')).toBe(true);
    expect(keyAllows('', 'bon')).toBe(false);
    expect(keyAllows(keyStrategiesOf({ strategies: ['bon', 'self_consistency', 7] }), 'sc')).toBe(true);
    expect(keyAllows('bon,sc', 'moa')).toBe(false);
  });
});

describe('self-consistency', () => {
  test.each([
    ['Let me think.\nAnswer: 42', '42'],
    ['**Answer:** Paris.', 'paris'],
    ['so the result is \\boxed{\\frac{1}{2}} indeed', '\\frac{1}{2}'],
    ['2 apples and 3 pears make 5', '5'],
    ['The total is 1,234.', '1234'],
    ['Answer: 7\nwait, no.\nAnswer: 8', '8'],
    ['No numbers Here', 'no numbers here'],
  ])('extracts the final answer of %j', (text, expected) => expect(extractFinalAnswer(text)).toBe(expected));

  test('the majority wins; a tie goes to the answer seen first', () => {
    expect(majorityIndex(['Answer: 5', 'Answer: 6', 'so 6', 'Answer: 5.', 'x = 5'])).toBe(0);
    expect(majorityIndex(['Answer: 1', 'Answer: 2', 'Answer: 2'])).toBe(1);
    expect(majorityIndex(['Answer: 9', 'Answer: 3'])).toBe(0);
    expect(majorityIndex([])).toBe(-1);
  });

  test('the scoring rule: longest non-refusal, ties to the earliest, all refused: the first', () => {
    expect(longestAcceptable(['short', 'a longer answer', 'a much much longer refusal'], [false, false, true])).toBe(1);
    expect(longestAcceptable(['abc', 'xyz'], [false, false])).toBe(0);
    expect(longestAcceptable(['a', 'b'], [true, true])).toBe(0);
  });
});

describe('judge replies', () => {
  test.each([
    ['8', 8],
    ['Score: 7/10', 7],
    ['**9**', 9],
    ['I would rate it 10.', 10],
    ['Candidate 2 is best', 2],
    ['eleven', null],
    ['Score: 11', null],
    ['0', null],
  ])('%j', (text, expected) => expect(parseJudgeNumber(text, 1, 10)).toBe(expected));

  test('a pick is read within the candidates', () => expect(parseJudgeNumber('Candidate 7, no wait, 2', 1, 3)).toBe(2));
});

describe('schema validator', () => {
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, pattern: '^(a+)+$' },
      age: { type: 'integer', minimum: 0, maximum: 150 },
      tags: { type: 'array', items: { enum: ['a', 'b'] }, maxItems: 2 },
      kind: { $ref: '#/$defs/kind' },
    },
    required: ['name', 'age'],
    additionalProperties: false,
    $defs: { kind: { anyOf: [{ const: 'x' }, { type: 'null' }] } },
  };

  test('valid and invalid documents', () => {
    expect(validatesAgainst({ name: 'n', age: 3, tags: ['a'], kind: null }, schema)).toBe(true);
    expect(validatesAgainst({ name: 'n' }, schema)).toBe(false);
    expect(validatesAgainst({ name: 'n', age: 3.5 }, schema)).toBe(false);
    expect(validatesAgainst({ name: 'n', age: 3, extra: 1 }, schema)).toBe(false);
    expect(validatesAgainst({ name: 'n', age: 3, tags: ['c'] }, schema)).toBe(false);
    expect(validatesAgainst({ name: 'n', age: 3, kind: 'y' }, schema)).toBe(false);
    expect(validatesAgainst({ name: '', age: 3 }, schema)).toBe(false);
  });

  test('a pattern is never evaluated (a catastrophic one returns at once)', () => {
    const started = performance.now();
    expect(validatesAgainst({ name: `${'a'.repeat(40)}!`, age: 1 }, schema)).toBe(true);
    expect(performance.now() - started).toBeLessThan(50);
  });

  test('a self-referencing schema runs out of work and fails, never hangs', () => {
    expect(validatesAgainst(1, { $ref: '#' })).toBe(false);
    expect(validatesAgainst({}, { $ref: 'https://example.com/s.json' })).toBe(false);
  });
});

describe('cascade checks', () => {
  test('JSON, fenced JSON, and not JSON', () => {
    expect(isJsonAnswer(completion('{"a":1}'))).toBe(true);
    expect(isJsonAnswer(completion('```json\n{"a":1}\n```'))).toBe(true);
    expect(isJsonAnswer(completion('Sure! {"a":1}'))).toBe(false);
  });

  test('the request schema', () => {
    const request = {
      model: 'm',
      messages: [],
      response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object', required: ['a'] } } },
    } as never;
    expect(matchesResponseSchema(completion('{"a":1}'), request)).toBe(true);
    expect(matchesResponseSchema(completion('{"b":1}'), request)).toBe(false);
  });

  test('refusals', () => {
    expect(isRefusal(completion("I'm sorry, but I can't help with that."))).toBe(true);
    expect(isRefusal(completion('ok', { finish_reason: 'content_filter' }))).toBe(true);
    expect(
      isRefusal({ ...completion(null), choices: [{ ...completion(null).choices[0], message: { role: 'assistant', content: null, refusal: 'no' } }] }),
    ).toBe(true);
    expect(isRefusal(completion('Sorry to hear that; here is the fix.'))).toBe(false);
  });
});

test('shown text is cut to its bound, whatever its characters', () => {
  for (const text of ['a'.repeat(10_000), 'é'.repeat(10_000), '😀'.repeat(10_000), 'ﷺ'.repeat(3000)]) {
    const cut = cutToBound(text, 1000);
    expect(textBound(cut)).toBeLessThanOrEqual(1000);
    expect(cut.length).toBeGreaterThan(0);
  }
  expect(cutToBound('short', 1000)).toBe('short');
});
