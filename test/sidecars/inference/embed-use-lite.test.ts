/** The built-in embedder (Universal Sentence Encoder Lite) through gRPC: the one suite that loads it. */
import { type RunningSidecar, startSidecar } from './harness';

const cosine = (a: Float32Array, b: Float32Array): number => a.reduce((sum, v, i) => sum + v * b[i], 0) / (Math.hypot(...a) * Math.hypot(...b));

describe('Embed with USE Lite', () => {
  let sidecar: RunningSidecar;

  beforeAll(async () => {
    sidecar = await startSidecar({ INFERENCE_BUILTIN_EMBEDDER: 'true', INFERENCE_EMBED_BATCH_MAX: '8', INFERENCE_EMBED_TEXT_CHARS_MAX: '2000' });
  });
  afterAll(() => sidecar.stop());

  it('answers 512-d unit-length vectors, one per text, in order', async () => {
    const result = await sidecar.client.embed(['How do I reset my password?', 'The weather is sunny today.'], 10_000);
    if (!result.ok) throw new Error(result.failure.message);
    expect(result.value).toMatchObject({ model: 'use-lite', dimensions: 512 });
    expect(result.value.vectors).toHaveLength(2);
    for (const v of result.value.vectors) {
      expect(v).toHaveLength(512);
      expect(Math.hypot(...v)).toBeCloseTo(1, 1);
    }
  });

  it('scores similar sentences closer than unrelated ones', async () => {
    const result = await sidecar.client.embed(
      ['How do I reset my password?', 'I forgot my password, how can I change it?', 'The stock market fell sharply on Monday.'],
      10_000,
    );
    if (!result.ok) throw new Error(result.failure.message);
    const [question, paraphrase, unrelated] = result.value.vectors;
    expect(cosine(question, paraphrase)).toBeGreaterThan(cosine(question, unrelated) + 0.2);
  });

  it('bounds the batch size and each text’s length', async () => {
    const tooMany = await sidecar.client.embed(Array(9).fill('hi'), 10_000);
    expect(tooMany.ok ? 'ok' : tooMany.failure.code).toBe('INVALID_ARGUMENT');
    const tooLong = await sidecar.client.embed(['x'.repeat(2001)], 10_000);
    expect(tooLong.ok ? 'ok' : tooLong.failure.code).toBe('INVALID_ARGUMENT');
    const unknown = await sidecar.client.embed(['hi'], 10_000, 'no-such-embedder');
    expect(unknown.ok ? 'ok' : unknown.failure.code).toBe('INVALID_ARGUMENT');
  });
});
