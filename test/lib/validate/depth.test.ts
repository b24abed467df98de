/** The nesting bound: exact at the limit, blind to brackets inside strings, the same for text and values. */
import { MAX_JSON_DEPTH, parseJsonBody, parseNestedJson, validateClientRequest } from '../../../lib/validate';
import { textNestingExceeds, valueNestingExceeds } from '../../../lib/validate/depth';

/** A body whose deepest container sits at `levels` (the body itself is level 1). */
function bodyAtDepth(levels: number): string {
  const inner = '['.repeat(levels - 1) + ']'.repeat(levels - 1);
  return `{"model":"m","messages":[{"role":"user","content":"hi"}],"x":${inner}}`;
}

describe('JSON nesting depth', () => {
  it(`accepts exactly ${MAX_JSON_DEPTH} levels and refuses one more, as text and as a value`, () => {
    for (const [levels, exceeds] of [
      [MAX_JSON_DEPTH, false],
      [MAX_JSON_DEPTH + 1, true],
    ] as const) {
      const text = bodyAtDepth(levels);
      expect(textNestingExceeds(text, MAX_JSON_DEPTH)).toBe(exceeds);
      expect(valueNestingExceeds(JSON.parse(text), MAX_JSON_DEPTH)).toBe(exceeds);
      expect(parseJsonBody(text).ok).toBe(!exceeds);
      expect(validateClientRequest('chat.completions', JSON.parse(text)).ok).toBe(!exceeds);
    }
  });

  it('tracks strings through escaped quotes and escaped backslashes', () => {
    // "a\\" ends the string after an escaped backslash; the brackets after it count again.
    const deep = '['.repeat(200) + ']'.repeat(200);
    expect(textNestingExceeds(`{"s":"a\\\\","x":${deep}}`, MAX_JSON_DEPTH)).toBe(true);
    // An escaped quote does not end the string: the brackets after it are text.
    expect(textNestingExceeds(`{"s":"a\\"${'['.repeat(200)}"}`, MAX_JSON_DEPTH)).toBe(false);
  });

  it('parseNestedJson parses JSON within the bound and gives back nothing for the rest', () => {
    expect(parseNestedJson('{"a":[1]}')).toEqual({ a: [1] });
    expect(parseNestedJson('null')).toBeNull();
    expect(parseNestedJson('{bad')).toBeUndefined();
    expect(parseNestedJson('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1))).toBeUndefined();
  });
});
