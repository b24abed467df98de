/** Reference texts embedded once and kept with their model; a failure retried only after a pause; request texts in the same model. */
import { cosine, RouterReferences, requestEmbedder } from '../../../lib/router/references';
import { fakeEmbedder } from '../guardrails/fake-embedder';

describe('RouterReferences', () => {
  it('embeds once, normalised, and keeps the embedding model', async () => {
    const fake = fakeEmbedder('model-a');
    const references = new RouterReferences(['one two', 'three four'], fake.embed);
    references.prefetch();
    const [a, b] = await Promise.all([references.vectors(), references.vectors()]);
    expect(a).toBe(b);
    expect(a.model).toBe('model-a');
    expect(fake.calls).toHaveLength(1);
    expect(cosine(a.vectors[0]!, a.vectors[0]!)).toBeCloseTo(1, 5);
    expect(references.current).toBe(a);
  });

  it('after a failure, refuses without calling the embedder until the pause is over', async () => {
    const fake = fakeEmbedder();
    fake.failing = true;
    let now = 0;
    const references = new RouterReferences(['x'], fake.embed, () => now);
    await expect(references.vectors()).rejects.toThrow('unavailable');
    await expect(references.vectors()).rejects.toThrow(/failed recently/);
    expect(fake.calls).toHaveLength(1);
    fake.failing = false;
    now = 6000;
    await expect(references.vectors()).resolves.toMatchObject({ model: 'fake-1' });
  });

  it('embeds a request text in the references’ model, and answers null on any failure', async () => {
    const fake = fakeEmbedder('model-b');
    const references = new RouterReferences(['x'], fake.embed);
    const embed = requestEmbedder(references, fake.embed, 1000);
    expect(await embed('hello')).toBeInstanceOf(Float32Array);
    expect(fake.calls.at(-1)).toMatchObject({ texts: ['hello'], model: 'model-b', withSignal: true });
    fake.failing = true;
    expect(await embed('hello')).toBeNull();
    fake.failing = false;
    fake.delayMs = 200;
    expect(await requestEmbedder(references, fake.embed, 20)('slow')).toBeNull();
  });
});
