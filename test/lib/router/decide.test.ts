/** decideRoute: rules, semantic routes, difficulty, cascade and default, in that order; never throws, fails open. */
import { compileRouter, type RouterDefinition } from '../../../lib/router/config';
import { decideRoute, FALLBACK_EMBEDDER, FALLBACK_SCORER } from '../../../lib/router/decide';
import { routeHeaderValue } from '../../../lib/router/decision';
import type { DifficultyScorer } from '../../../lib/router/difficulty';
import { requestFeatures } from '../../../lib/router/features';
import { requestEmbedder } from '../../../lib/router/references';
import { bagOfWords, fakeEmbedder } from '../guardrails/fake-embedder';
import { CONTEXT, chatFeatures } from './helpers';

const BASE: RouterDefinition = { name: 'auto', candidates: ['small', 'large', 'coder'], default_model: 'small' };
const fixedScorer = (value: number | (() => number)): DifficultyScorer => ({
  usesEmbedding: false,
  score: () => (typeof value === 'number' ? value : value()),
});
const noEmbedder = { embed: async () => null };
const DIFFICULTY = {
  weak_model: 'small',
  strong_model: 'large',
  strong_share: 0.3,
  scorer: 'heuristic',
  initial_threshold: 0.5,
  recalibrate_every: 0,
} as const;
/** A difficulty router whose scores the test sets. */
const scoredRouter = (score: () => number, extra: Partial<RouterDefinition> = {}) =>
  compileRouter({ ...BASE, ...extra, difficulty: DIFFICULTY }, undefined, { scorer: fixedScorer(score) });

describe('decideRoute', () => {
  it('answers the default model when no policy applies', async () => {
    const decision = await decideRoute(compileRouter(BASE), chatFeatures('hello'), noEmbedder);
    expect(decision).toEqual({ router: 'auto', model: 'small', route: 'default', reason: 'default' });
    expect(routeHeaderValue(decision)).toBe('router=auto; model=small; route=default; reason=default');
  });

  it('takes the first rule whose conditions all hold', async () => {
    const router = compileRouter({
      ...BASE,
      rules: [
        { name: 'tool-step', model: 'small', when: { last_role: 'tool' } },
        { name: 'code', model: 'coder', when: { has_code: true, min_prompt_tokens: 5 } },
        { name: 'premium', model: 'large', when: { team_metadata: { field: 'tier', equals: 'gold' } } },
      ],
    });
    const toolStep = requestFeatures(
      {
        messages: [
          { role: 'user', content: 'weather in Paris?' },
          { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: '{"temp": 21}' },
        ],
      },
      'openai',
      { ...CONTEXT, teamMetadata: { tier: 'gold' } },
    );
    expect(await decideRoute(router, toolStep, noEmbedder)).toMatchObject({ model: 'small', route: 'tool-step', reason: 'rule:tool-step' });
    const code = chatFeatures('Why does this fail?\n```js\nconst x = 1;\nx = 2;\n```');
    expect(await decideRoute(router, code, noEmbedder)).toMatchObject({ model: 'coder', reason: 'rule:code' });
    const gold = chatFeatures('hello', {}, { teamMetadata: { tier: 'gold' } });
    expect(await decideRoute(router, gold, noEmbedder)).toMatchObject({ model: 'large', reason: 'rule:premium' });
    const silver = chatFeatures('hello', {}, { teamMetadata: { tier: 'silver' } });
    expect(await decideRoute(router, silver, noEmbedder)).toMatchObject({ model: 'small', reason: 'default' });
  });

  it('matches headers by equality or membership', async () => {
    const router = compileRouter({
      ...BASE,
      rules: [
        { name: 'beta', model: 'large', when: { header: { name: 'X-Tier', in: ['beta', 'staff'] } } },
        { name: 'cheap', model: 'small', when: { header: { name: 'x-cost', equals: 'low' } } },
      ],
      default_model: 'coder',
    });
    expect((await decideRoute(router, chatFeatures('hi', {}, { headers: { 'x-tier': 'staff' } }), noEmbedder)).reason).toBe('rule:beta');
    expect((await decideRoute(router, chatFeatures('hi', {}, { headers: { 'x-tier': ['beta', 'x'] } }), noEmbedder)).reason).toBe('rule:beta');
    expect((await decideRoute(router, chatFeatures('hi', {}, { headers: { 'x-cost': 'low' } }), noEmbedder)).reason).toBe('rule:cheap');
    expect((await decideRoute(router, chatFeatures('hi', {}, { headers: { 'x-tier': 'gold' } }), noEmbedder)).reason).toBe('default');
  });

  it('routes to the semantic route whose utterances are nearest, above the threshold', async () => {
    const fake = fakeEmbedder();
    const router = compileRouter(
      {
        ...BASE,
        semantic: {
          threshold: 0.6,
          routes: [
            { name: 'billing', model: 'small', utterances: ['refund my invoice payment', 'update my credit card billing'] },
            { name: 'coding', model: 'coder', utterances: ['fix this python function bug', 'write a typescript class'] },
          ],
        },
        default_model: 'large',
      },
      fake.embed,
    );
    const embed = requestEmbedder(router.references, fake.embed, 1000);
    const coding = await decideRoute(router, chatFeatures('please fix this python function bug'), { embed });
    expect(coding).toMatchObject({ model: 'coder', route: 'coding' });
    expect(coding.reason).toMatch(/^semantic:0\.\d\d$/);
    expect(await decideRoute(router, chatFeatures('tell me about the weather in Oslo'), { embed })).toMatchObject({ model: 'large', reason: 'default' });
    // Utterances were embedded once, at compile time, not per request.
    expect(fake.calls.filter((call) => call.texts.length === 4)).toHaveLength(1);
  });

  it('fails open to the default model when the embedder is unavailable, and never throws', async () => {
    const fake = fakeEmbedder();
    fake.failing = true;
    const router = compileRouter({ ...BASE, semantic: { routes: [{ name: 'code', model: 'coder', utterances: ['write code'] }] } }, fake.embed);
    const failing = { embed: async (): Promise<Float32Array | null> => Promise.reject(new Error('down')) };
    expect(await decideRoute(router, chatFeatures('write code'), failing)).toMatchObject({ model: 'small', reason: FALLBACK_EMBEDDER });
    expect(await decideRoute(router, chatFeatures('write code'), { embed: async () => bagOfWords('write code') })).toMatchObject({
      reason: FALLBACK_EMBEDDER,
    });
  });

  it('sends scores at or above the threshold to the strong model and explains with numbers only', async () => {
    let next = 0.9;
    const router = scoredRouter(() => next);
    expect(await decideRoute(router, chatFeatures('secret prompt text'), noEmbedder)).toEqual({
      router: 'auto',
      model: 'large',
      route: 'strong',
      reason: 'difficulty:0.90>=0.50',
    });
    next = 0.2;
    expect(await decideRoute(router, chatFeatures('secret prompt text'), noEmbedder)).toMatchObject({
      model: 'small',
      route: 'weak',
      reason: 'difficulty:0.20<0.50',
    });
  });

  it('fails open when the scorer throws or answers a non-number', async () => {
    const def: RouterDefinition = { ...BASE, difficulty: { weak_model: 'small', strong_model: 'large', strong_share: 0.3, scorer: 'heuristic' } };
    const throwing = compileRouter(def, undefined, {
      scorer: fixedScorer(() => {
        throw new Error('boom');
      }),
    });
    expect(await decideRoute(throwing, chatFeatures('x'), noEmbedder)).toMatchObject({ model: 'small', reason: FALLBACK_SCORER });
    const nan = compileRouter(def, undefined, { scorer: fixedScorer(Number.NaN) });
    expect(await decideRoute(nan, chatFeatures('x'), noEmbedder)).toMatchObject({ reason: FALLBACK_SCORER });
  });

  it('cascades non-streamed requests only: weak first with the escalation, streamed ones by difficulty or the default', async () => {
    const cascade = {
      weak_model: 'small',
      strong_model: 'large',
      checks: [{ kind: 'json' as const }, { kind: 'judge' as const, model: 'large', min_score: 7 }],
    };
    const alone = compileRouter({ ...BASE, default_model: 'large', cascade });
    expect(await decideRoute(alone, chatFeatures('give JSON'), noEmbedder)).toEqual({
      router: 'auto',
      model: 'small',
      route: 'cascade',
      reason: 'cascade',
      cascade: { escalate_to: 'large', checks: cascade.checks },
    });
    expect(await decideRoute(alone, chatFeatures('give JSON', {}, { stream: true }), noEmbedder)).toEqual({
      router: 'auto',
      model: 'large',
      route: 'default',
      reason: 'default:streamed',
    });
    let next = 0.1;
    const withDifficulty = compileRouter(
      {
        ...BASE,
        cascade,
        difficulty: { weak_model: 'small', strong_model: 'large', strong_share: 0.3, scorer: 'heuristic', initial_threshold: 0.5, recalibrate_every: 0 },
      },
      undefined,
      { scorer: fixedScorer(() => next) },
    );
    const cascaded = await decideRoute(withDifficulty, chatFeatures('x'), noEmbedder);
    expect(cascaded).toMatchObject({ model: 'small', route: 'cascade', reason: 'difficulty:0.10<0.50', cascade: { escalate_to: 'large' } });
    // The header's fields are separated by `; `: no reason may hold one.
    expect(routeHeaderValue(cascaded).split(';')).toHaveLength(4);
    expect(await decideRoute(withDifficulty, chatFeatures('x', {}, { stream: true }), noEmbedder)).toEqual({
      router: 'auto',
      model: 'small',
      route: 'weak',
      reason: 'difficulty:0.10<0.50',
    });
    next = 0.8;
    expect((await decideRoute(withDifficulty, chatFeatures('x'), noEmbedder)).cascade).toBeUndefined();
  });
});
