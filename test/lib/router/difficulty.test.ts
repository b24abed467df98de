/** The heuristic scorer: hard prompts above easy ones, the anchors pulling the right way; a bounded, linear scoring vector. */
import { anchorPull, heuristicScorer } from '../../../lib/router/difficulty';
import { requestFeatures } from '../../../lib/router/features';
import { SCORING_FEATURE_COUNT, SCORING_FEATURE_NAMES, scoringVector } from '../../../lib/router/scoring-features';
import { CONTEXT, chatFeatures } from './helpers';

describe('heuristicScorer', () => {
  const scorer = heuristicScorer();

  it('scores a proof or a design above a lookup, a greeting and a tool-result step', async () => {
    const hard = [
      'Prove that every group of order p^2 is abelian, and explain each step of the derivation.',
      'Design a distributed rate limiter and analyse the trade-offs between consistency and latency under partitions.',
    ];
    const easy = ['What is the capital of France?', 'Hi! Thanks for the help.', 'Translate "thank you" into German.'];
    const toolStep = requestFeatures(
      {
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', tool_calls: [] },
          { role: 'tool', content: '{"t": 1}' },
        ],
      },
      'openai',
      CONTEXT,
    );
    const hardScores = await Promise.all(hard.map((text) => scorer.score(chatFeatures(text), null)));
    const easyScores = await Promise.all([...easy.map((text) => scorer.score(chatFeatures(text), null)), scorer.score(toolStep, null)]);
    expect(Math.min(...hardScores)).toBeGreaterThan(Math.max(...easyScores));
    for (const score of [...hardScores, ...easyScores]) expect(score).toBeGreaterThanOrEqual(0);
  });

  it('is pulled toward the side of the nearer anchors', async () => {
    const easy = [Float32Array.from([1, 0])];
    const hard = [Float32Array.from([0, 1])];
    expect(anchorPull(Float32Array.from([0.1, 1]), { easy, hard })).toBeGreaterThan(0);
    expect(anchorPull(Float32Array.from([1, 0.1]), { easy, hard })).toBeLessThan(0);
    expect(anchorPull(Float32Array.from([1, 0]), null)).toBe(0);
    const anchored = heuristicScorer({ anchors: () => ({ easy, hard }) });
    expect(anchored.usesEmbedding).toBe(true);
    const features = chatFeatures('something');
    expect(await anchored.score(features, Float32Array.from([0, 1]))).toBeGreaterThan(await anchored.score(features, Float32Array.from([1, 0])));
  });
});

describe('scoringVector', () => {
  it('has one value in [0, 1] per named feature, whatever the text', () => {
    expect(SCORING_FEATURE_NAMES).toHaveLength(SCORING_FEATURE_COUNT);
    for (const text of ['', 'x'.repeat(4096), '1+1=2 '.repeat(600), '- must\n'.repeat(500), '???'.repeat(1000)]) {
      const vector = scoringVector(chatFeatures(text));
      expect(vector).toHaveLength(SCORING_FEATURE_COUNT);
      for (const value of vector) expect(value >= 0 && value <= 1).toBe(true);
    }
  });
});
