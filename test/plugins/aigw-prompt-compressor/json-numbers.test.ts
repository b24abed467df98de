import { numbersSurviveJson } from '../../../plugins/aigw-prompt-compressor/json-numbers';

describe('numbers that survive JSON.parse → JSON.stringify', () => {
  test.each([
    ['{"a":1,"b":-2.5,"c":1e3,"d":0.1,"e":0,"f":-0.0,"g":123456789012345}', true],
    ['{"id":12345678901234567890}', false],
    ['{"x":1e400}', false],
    ['{"x":1e-400}', false],
    ['{"s":"12345678901234567890 and 1e400 inside a string","t":"\\"9999999999999999999\\""}', true],
  ])('%s → %s', (raw, expected) => {
    expect(numbersSurviveJson(raw)).toBe(expected);
    // The premise: where the check says a number survives, it really does.
    if (expected) expect(JSON.stringify(JSON.parse(raw))).toBe(JSON.stringify(JSON.parse(JSON.stringify(JSON.parse(raw)))));
  });

  test('an unsafe id really changes through a round trip (why the check exists)', () => {
    expect(JSON.stringify(JSON.parse('{"id":12345678901234567891}'))).not.toContain('12345678901234567891');
  });
});
