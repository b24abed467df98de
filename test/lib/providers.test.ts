/**
 * The provider registry (lib/providers.ts) and the relay's adapters for it: one line per provider,
 * one folder per wire format, and the plugin schema's provider names from the same list.
 */
import { PROVIDER_TYPES } from '../../lib/plan';
import { PROVIDERS, takesStreamOptions, wireFormatOf } from '../../lib/providers';
import { adaptersFor, embeddingsAdapterFor } from '../../sidecars/relay/adapters';
import { deckForDev } from '../harness/stack/deck-for-dev';

const openAIWire = PROVIDER_TYPES.filter((p) => wireFormatOf(p) === 'openai');

describe('the provider registry', () => {
  it('names every provider type once, in registry order, for the plugin schema', () => {
    expect(PROVIDER_TYPES).toEqual(Object.keys(PROVIDERS));
    expect(new Set(PROVIDER_TYPES).size).toBe(PROVIDER_TYPES.length);
    expect(PROVIDER_TYPES.slice(0, 2)).toEqual(['openai', 'groq']);
  });

  it('gives every provider a wire format the relay has adapters for', () => {
    for (const provider of PROVIDER_TYPES) {
      const spec = adaptersFor(provider);
      expect(spec.chat.chatRequest).toEqual(expect.any(Function));
      // Only OpenAI's own wire format is passed through byte for byte.
      expect(spec.passthrough).toBe(wireFormatOf(provider) === 'openai');
    }
  });

  it('shares one adapter across the OpenAI-compatible family, with per-provider flags', () => {
    expect(openAIWire).toEqual(expect.arrayContaining(['openai', 'groq', 'deepseek', 'xai', 'mistral', 'ollama', 'vllm', 'huggingface', 'openai-compatible']));
    for (const provider of openAIWire) {
      expect(adaptersFor(provider)).toBe(adaptersFor('openai'));
      expect(embeddingsAdapterFor(provider)).toBeNull();
    }
    expect(takesStreamOptions('mistral')).toBe(false);
    expect(takesStreamOptions('groq')).toBe(true);
    expect(embeddingsAdapterFor('gemini')).not.toBeNull();
  });

  it('points each dev target at the mock speaking its wire format', () => {
    const urls = { openai: 'http://mock/v1', anthropic: 'http://mock/anthropic', gemini: 'http://mock/gemini', azure: 'http://mock/azure' };
    const source = {
      services: [
        {
          plugins: [
            {
              name: 'aigw-proxy',
              config: {
                models: [{ name: 'm', targets: PROVIDER_TYPES.map((provider) => ({ provider, base_url: 'https://real', credential: 'NOT_SET_API_KEY' })) }],
              },
            },
          ],
        },
      ],
    };
    const { deck } = deckForDev(source, { relayUrl: 'http://127.0.0.1:1', controlUrl: 'http://127.0.0.1:2' }, urls, {});
    const targets = JSON.stringify(deck).match(/"provider":"[^"]+","base_url":"[^"]+"/g);
    const dialects: Record<string, string> = urls;
    expect(targets).toEqual(PROVIDER_TYPES.map((p) => `"provider":"${p}","base_url":"${dialects[wireFormatOf(p)] ?? urls.openai}"`));
  });
});
