/** validateRouterDefinition names every mistake; compileRouter refuses what it would reject and embeds references once. */
import { compileRouter, ROUTER_LIMITS, type RouterDefinition, validateRouterDefinition } from '../../../lib/router/config';
import { fakeEmbedder } from '../guardrails/fake-embedder';

const VALID: RouterDefinition = {
  name: 'auto',
  candidates: ['gpt-4o-mini', 'gpt-4o'],
  default_model: 'gpt-4o-mini',
  rules: [{ name: 'tools', model: 'gpt-4o-mini', when: { last_role: 'tool', max_prompt_tokens: 2000, header: { name: 'x-tier', in: ['free'] } } }],
  semantic: { threshold: 0.75, routes: [{ name: 'code', model: 'gpt-4o', utterances: ['write a function'] }] },
  difficulty: { weak_model: 'gpt-4o-mini', strong_model: 'gpt-4o', strong_share: 0.3, scorer: 'heuristic' },
  cascade: { weak_model: 'gpt-4o-mini', strong_model: 'gpt-4o', checks: [{ kind: 'json' }, { kind: 'judge', model: 'gpt-4o', min_score: 7 }] },
};

describe('validateRouterDefinition', () => {
  it('accepts a full definition, and checks candidates against the configured model groups', () => {
    expect(validateRouterDefinition(VALID)).toEqual([]);
    expect(validateRouterDefinition(VALID, ['gpt-4o-mini', 'gpt-4o', 'other'])).toEqual([]);
    expect(validateRouterDefinition(VALID, ['gpt-4o'])).toEqual(['candidates: gpt-4o-mini is not a configured model group']);
  });

  it('requires every model named to be a candidate', () => {
    const errors = validateRouterDefinition({
      ...VALID,
      default_model: 'claude',
      rules: [{ name: 'r', model: 'x', when: {} }],
      semantic: { routes: [{ name: 's', model: 'y', utterances: ['u'] }] },
      difficulty: { ...VALID.difficulty!, strong_model: 'z' },
      cascade: { ...VALID.cascade!, checks: [{ kind: 'judge', model: 'j', min_score: 5 }] },
    });
    expect(errors).toEqual([
      'default_model: claude is not one of the candidates',
      'rules[0].model: x is not one of the candidates',
      'semantic.routes[0].model: y is not one of the candidates',
      'difficulty.strong_model: z is not one of the candidates',
      'cascade.checks[0].model: j is not one of the candidates',
    ]);
  });

  it('explains malformed fields and bounds counts and lengths', () => {
    expect(validateRouterDefinition(null)).toEqual(['router: must be an object']);
    const errors = validateRouterDefinition({
      name: 'auto me',
      candidates: ['a', 'auto me'],
      default_model: 'a',
      rules: [
        { name: 'r', model: 'a', when: { last_role: 'system', min_depth: 5, max_depth: 2, bogus: true, has_tools: 'yes' } },
        { name: 'r', model: 'a', when: { header: { name: 'x', equals: 'a', in: ['b'] } } },
      ],
      semantic: { threshold: 2, routes: [{ name: 's', model: 'a', utterances: ['x'.repeat(ROUTER_LIMITS.utteranceChars + 1)] }] },
      difficulty: { weak_model: 'a', strong_model: 'a', strong_share: 1, scorer: 'onnx' },
      cascade: { weak_model: 'a', strong_model: 'a', checks: [{ kind: 'regex' }] },
    });
    for (const expected of [
      'name: must be a name',
      'candidates[1]: must be a name',
      'rules[0].when.bogus: unknown condition',
      'rules[0].when.has_tools: must be true or false',
      'rules[0].when: min_depth is above max_depth',
      'rules[0].when.last_role: must be one of user, tool, assistant',
      'rules[1].name: r is used twice',
      'rules[1].when.header: set exactly one of equals and in',
      'semantic.threshold: must be a cosine in (0, 1]',
      'semantic.routes[0].utterances: must list',
      'difficulty.strong_share: must be a share in (0, 1)',
      'difficulty.model_path: the onnx scorer needs the path of its model',
      'cascade.checks[0].kind: must be json, json_schema, no_refusal or judge',
    ]) {
      expect(errors.some((e) => e.startsWith(expected))).toBe(true);
    }
    const many = { ...VALID, rules: Array.from({ length: ROUTER_LIMITS.rules + 1 }, (_, i) => ({ name: `r${i}`, model: 'gpt-4o', when: {} })) };
    expect(validateRouterDefinition(many)).toEqual([`rules: must be a list of at most ${ROUTER_LIMITS.rules} rules`]);
  });
});

describe('compileRouter', () => {
  it('throws with the errors of an invalid definition', () => {
    expect(() => compileRouter({ ...VALID, default_model: 'nope' })).toThrow(/default_model: nope is not one of the candidates/);
  });

  it('embeds the utterances and the difficulty anchors once, in the background', async () => {
    const fake = fakeEmbedder();
    const router = compileRouter(VALID, fake.embed);
    const references = await router.references!.vectors();
    expect(router.anchorsAt).toBe(1);
    expect(references.vectors.length).toBeGreaterThan(1);
    expect(references.model).toBe('fake-1');
    await router.references!.vectors();
    expect(fake.calls.reduce((n, call) => n + call.texts.length, 0)).toBe(references.vectors.length);
  });

  it('without an embedder: no references, and a difficulty scorer that reads features only', () => {
    const router = compileRouter(VALID);
    expect(router.references).toBeNull();
    expect(router.difficulty!.score.usesEmbedding).toBe(false);
  });
});
