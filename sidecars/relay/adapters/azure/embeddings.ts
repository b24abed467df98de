/** Azure's embeddings API: OpenAI's JSON, at the deployment's URL, with its `api-key` header. */

import { usageFromResponse } from '../openai/usage';
import type { EmbeddingsAdapter } from '../types';
import { azureUrl } from './request';

export const azureEmbeddings: EmbeddingsAdapter = {
  request(target, body, apiKey) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (apiKey) headers['api-key'] = apiKey;
    return { url: azureUrl(target.baseUrl, target.model, '/embeddings'), headers, body: JSON.stringify({ ...body, model: target.model }) };
  },
  response: (json) => ({ body: json, usage: usageFromResponse(json) }),
};
