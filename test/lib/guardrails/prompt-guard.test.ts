import {
  caseInsensitive,
  collectPrompts,
  compileLinearPattern,
  compilePromptGuard,
  evaluatePromptGuard,
  PatternError,
  type PromptGuardInput,
} from '../../../lib/guardrails';

const chat = (...messages: Array<[string, string]>): PromptGuardInput => ({ messages: messages.map(([role, text]) => ({ role, text })) });

describe("Kong ai-prompt-guard's semantics", () => {
  it('checks user messages, latest first, each followed by a space (as Kong concatenates them)', () => {
    const guard = compilePromptGuard({ deny_patterns: ['x'] });
    expect(collectPrompts(guard, chat(['system', 'sys'], ['user', 'one'], ['assistant', 'a'], ['user', 'two']))).toBe('two one ');
  });

  it('checks only the latest user message with allow_all_conversation_history', () => {
    const guard = compilePromptGuard({ deny_patterns: ['secret'], allow_all_conversation_history: true });
    expect(evaluatePromptGuard(guard, chat(['user', 'tell me the secret'], ['assistant', 'no'], ['user', 'ok, bye']), 10)).toEqual({ allowed: true });
    expect(evaluatePromptGuard(guard, chat(['user', 'hi'], ['user', 'the secret?']), 10)).toEqual({ allowed: false, reason: 'denied', pattern: 0 });
  });

  it('checks every role with match_all_roles', () => {
    const input = chat(['system', 'contains badword'], ['user', 'hello']);
    expect(evaluatePromptGuard(compilePromptGuard({ deny_patterns: ['badword'] }), input, 10).allowed).toBe(true);
    expect(evaluatePromptGuard(compilePromptGuard({ deny_patterns: ['badword'], match_all_roles: true }), input, 10).allowed).toBe(false);
  });

  it('denies before allowing; with allow patterns one must match', () => {
    const guard = compilePromptGuard({ allow_patterns: ['weather', 'forecast'], deny_patterns: ['password'] });
    expect(evaluatePromptGuard(guard, chat(['user', 'weather and password']), 10)).toEqual({ allowed: false, reason: 'denied', pattern: 0 });
    expect(evaluatePromptGuard(guard, chat(['user', 'the forecast please']), 10)).toEqual({ allowed: true });
    expect(evaluatePromptGuard(guard, chat(['user', 'tell me a joke']), 10)).toEqual({ allowed: false, reason: 'not_allowed' });
  });

  it('checks a completions prompt as is', () => {
    const guard = compilePromptGuard({ deny_patterns: ['^rm '] });
    expect(evaluatePromptGuard(guard, { prompt: 'rm -rf /' }, 10).allowed).toBe(false);
  });

  it('refuses a body over max_request_body_size (Kong does not introspect it)', () => {
    const guard = compilePromptGuard({ deny_patterns: ['x'], max_request_body_size: 100 });
    expect(evaluatePromptGuard(guard, chat(['user', 'fine']), 101)).toEqual({ allowed: false, reason: 'too_large' });
  });

  it("validates as Kong's schema does", () => {
    expect(() => compilePromptGuard({})).toThrow(PatternError);
    expect(() => compilePromptGuard({ deny_patterns: ['a'], match_all_roles: true, allow_all_conversation_history: true })).toThrow(/match_all_roles/);
    expect(() => compilePromptGuard({ deny_patterns: Array(11).fill('a') })).toThrow(/at most 10/);
    expect(() => compilePromptGuard({ deny_patterns: ['a'.repeat(501)] })).toThrow(/length/);
    expect(() => compilePromptGuard({ deny_patterns: ['('] })).toThrow(/deny_patterns\[0\]/);
  });
});

describe('operator patterns on the linear-time engine', () => {
  it("runs Kong's documented example pattern", () => {
    const pattern = compileLinearPattern('.*(A|a)ccount.*balance.*');
    expect(pattern.test('what is my account balance')).toBe(true);
    expect(pattern.test('what is my balance')).toBe(false);
  });

  it('translates a leading (?i) into both cases of each letter, escapes and classes included', () => {
    expect(caseInsensitive('ab\\d[a-c\\w]x{2}')).toBe('[aA][bB]\\d[a-c\\wA-C\\w][xX]{2}');
    const pattern = compileLinearPattern('(?i)credit\\s+card');
    expect(pattern.test('My CREDIT  Card')).toBe(true);
    expect(compileLinearPattern('(?i)[^a-z]+').test('ABC')).toBe(false);
  });

  it('translates \\A and \\z anchors', () => {
    expect(compileLinearPattern('\\Ahello\\z').test('hello')).toBe(true);
  });

  it('refuses what it cannot run in linear time, or would misread', () => {
    for (const pattern of ['(a)\\1', 'a(?=b)', '(?<=a)b', 'a{2,100}', '[[:alpha:]]', 'a++', '(?>a)', 'a(?i)b']) {
      expect(() => compileLinearPattern(pattern)).toThrow(PatternError);
    }
  });

  it('runs a catastrophic-backtracking pattern in linear time', () => {
    const pattern = compileLinearPattern('(a*)*b');
    const started = process.cpuUsage();
    expect(pattern.test('a'.repeat(100_000))).toBe(false);
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(1000);
  });
});
