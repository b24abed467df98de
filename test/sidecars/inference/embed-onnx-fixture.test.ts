/** A sentence-embedding ONNX model (generated) through Embed: mean pooling over the tokens, then L2 normalisation. */
import { FIXTURE_EMBEDDER_ID, fixtureEmbeddingRow, writeFixtureEmbedder } from '../../../sidecars/inference/fixtures/make-fixture-model';
import { type RunningSidecar, startSidecar, tempModelsDir } from './harness';

/** What the sidecar must answer: the normalised mean of the rows of [CLS], the tokens and [SEP]. */
function expected(tokens: string[]): number[] {
  const rows = ['[CLS]', ...tokens, '[SEP]'].map(fixtureEmbeddingRow);
  const mean = rows[0].map((_, d) => rows.reduce((sum, r) => sum + r[d], 0) / rows.length);
  const norm = Math.hypot(...mean);
  return mean.map((v) => v / norm);
}

describe('Embed with an ONNX sentence-embedding model', () => {
  const models = tempModelsDir();
  let sidecar: RunningSidecar;

  beforeAll(async () => {
    writeFixtureEmbedder(models.dir);
    sidecar = await startSidecar({ INFERENCE_MODELS_DIR: models.dir, INFERENCE_EMBED_MODEL: FIXTURE_EMBEDDER_ID });
  });
  afterAll(async () => {
    await sidecar.stop();
    models.remove();
  });

  it('mean-pools the token rows and L2-normalises, one vector per text', async () => {
    const result = await sidecar.client.embed(['alpha bravo', 'the', 'alpha walking'], 10_000);
    if (!result.ok) throw new Error(result.failure.message);
    expect(result.value).toMatchObject({ model: FIXTURE_EMBEDDER_ID, dimensions: 4 });
    const got = result.value.vectors.map((v) => Array.from(v));
    const want = [expected(['alpha', 'bravo']), expected(['the']), expected(['alpha', 'walk', '##ing'])];
    got.forEach((vector, i) => vector.forEach((x, d) => expect(x).toBeCloseTo(want[i][d], 5)));
  });

  it('a Compress llmlingua2 request cannot use an embedder', async () => {
    const result = await sidecar.client.compress({ method: 'llmlingua2', segments: ['alpha'], model: FIXTURE_EMBEDDER_ID }, 10_000);
    expect(result.ok ? 'ok' : result.failure.code).toBe('INVALID_ARGUMENT');
  });
});
