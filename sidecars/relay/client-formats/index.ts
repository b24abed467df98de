/** Which client format each relayed path speaks. */

import { endpointOf } from '../../../lib/endpoints';
import { clientFormatOf } from '../../../lib/errors';
import { googlePathOf } from '../../../lib/google-paths';
import { anthropicClientFormat } from './anthropic/format';
import { type ClientFormat, openAIFormat } from './client-format';
import { googleClientFormat } from './google/format';
import { responsesClientFormat } from './responses/format';

/**
 * The client's format, from the path it called: Anthropic's under /v1/messages, Responses under
 * /v1/responses, Google's for /v1beta/models/{model}:generateContent (made for the path's model and
 * method, and the query's `alt`), OpenAI's elsewhere.
 */
export function clientFormatFor(path: string, query = ''): ClientFormat {
  const format = clientFormatOf(path);
  if (format === 'anthropic') return anthropicClientFormat;
  if (format === 'openai') {
    const endpoint = endpointOf(path);
    return endpoint === 'responses' || endpoint === 'responses.input_tokens' ? responsesClientFormat : openAIFormat;
  }
  // Other Google paths are never relayed (no plan is made for them), but refused in Google's shape.
  const google = googlePathOf(path);
  return googleClientFormat(google?.kind === 'generate' ? google : { model: '', stream: false }, query);
}
