import type { PlanTarget } from '../../../../lib/plan';
import { embeddingsAdapterFor } from '../../../../sidecars/relay/adapters';
import { planTarget } from './adapter-helpers';

const target = (provider: PlanTarget['provider'], baseUrl: string, model: string): PlanTarget => planTarget(provider, baseUrl, model, 'K_API_KEY');

describe('embeddings adapters', () => {
  it('keeps OpenAI-compatible providers on the pass-through', () => {
    for (const provider of ['openai', 'mistral', 'ollama', 'vllm'] as const) expect(embeddingsAdapterFor(provider)).toBeNull();
  });

  it('sends Azure its deployment URL, api-version and api-key', () => {
    const built = embeddingsAdapterFor('azure')!.request(target('azure', 'https://res.openai.azure.com', 'embed-deploy'), { model: 'e', input: 'x' }, 'az-key');
    expect(built).toMatchObject({
      url: 'https://res.openai.azure.com/openai/deployments/embed-deploy/embeddings?api-version=2024-10-21',
      headers: { 'api-key': 'az-key' },
    });
  });

  it('translates to Gemini batchEmbedContents and back, base64 as OpenAI encodes it', () => {
    const adapter = embeddingsAdapterFor('gemini')!;
    const body = { model: 'gemini-embedding-001', input: ['a', 'b'], dimensions: 3, encoding_format: 'base64' };
    const built = adapter.request(target('gemini', 'https://generativelanguage.googleapis.com', 'gemini-embedding-001'), body, 'g-key');
    if ('status' in built) throw new Error('refused');
    expect(built.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(built.headers['x-goog-api-key']).toBe('g-key');
    expect(built.url).not.toContain('g-key');
    expect(JSON.parse(built.body)).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'a' }] }, outputDimensionality: 3 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'b' }] }, outputDimensionality: 3 },
      ],
    });
    const out = adapter.response({ embeddings: [{ values: [0.5, -1, 0.25] }, { values: [1, 0, 0] }] }, body);
    const data = (out.body as { data: Array<{ embedding: string }> }).data;
    const decoded = Buffer.from(data[0].embedding, 'base64');
    expect([decoded.readFloatLE(0), decoded.readFloatLE(4), decoded.readFloatLE(8)]).toEqual([0.5, -1, 0.25]);
    expect(out.usage).toMatchObject({ estimated: true, completionTokens: 0 });
    expect(out.usage!.promptTokens).toBeGreaterThan(0);
  });

  it('refuses what a provider cannot do with a clear 400', () => {
    expect(embeddingsAdapterFor('gemini')!.request(target('gemini', 'https://g', 'm'), { input: [[1, 2, 3]] }, null)).toMatchObject({
      status: 400,
      param: 'input',
    });
    expect(embeddingsAdapterFor('anthropic')!.request(target('anthropic', 'https://a', 'm'), { input: 'x' }, null)).toMatchObject({ status: 400 });
  });
});
