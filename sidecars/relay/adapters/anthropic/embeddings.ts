import { type EmbeddingsAdapter, unsupported } from '../types';

/** Anthropic has no embeddings API: every request is refused before it is sent. */
export const anthropicEmbeddings: EmbeddingsAdapter = {
  request: () => unsupported('Anthropic has no embeddings API; configure an embeddings model from another provider.', 'model'),
  response: () => ({ body: null, usage: null }),
};
