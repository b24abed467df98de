/**
 * Azure OpenAI. The wire format is OpenAI's; what differs is the URL (deployment + api-version),
 * the `api-key` header, and Azure's extras in answers, which are taken out so clients see
 * OpenAI's exact shapes. Request: request.ts; answers and streams: response.ts; errors: errors.ts.
 */
import type { AdapterSpec, ChatAdapter } from '../types';
import { azureEmbeddings } from './embeddings';
import { mapAzureError } from './errors';
import { buildAzureRequest } from './request';
import { AzureStreamTranslator, azureChatResponse } from './response';

export const azureAdapter: ChatAdapter = {
  chatRequest: buildAzureRequest,
  chatResponse: azureChatResponse,
  chatStream: (ctx) => new AzureStreamTranslator(ctx),
  mapError: mapAzureError,
};

export const azureSpec: AdapterSpec = {
  chat: azureAdapter,
  embeddings: azureEmbeddings,
  // Azure OpenAI has no input-token count: the gateway estimates it.
  countTokens: null,
  // Azure's URLs and key header differ, so even OpenAI clients go through the adapter.
  passthrough: false,
};

export { type AzureUpstreamRequest, azureChatUrl, DEFAULT_AZURE_API_VERSION } from './request';
