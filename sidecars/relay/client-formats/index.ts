/** Which client format each relayed path speaks. */

import { endpointOf } from '../../../lib/endpoints';
import { clientFormatOf } from '../../../lib/errors';
import { anthropicClientFormat } from './anthropic/format';
import { type ClientFormat, openAIFormat } from './client-format';
import { responsesClientFormat } from './responses/format';

/** The client's format, from the path it called: Anthropic's under /v1/messages, Responses under /v1/responses, OpenAI's elsewhere. */
export function clientFormatFor(path: string): ClientFormat {
  if (clientFormatOf(path) === 'anthropic') return anthropicClientFormat;
  const endpoint = endpointOf(path);
  return endpoint === 'responses' || endpoint === 'responses.input_tokens' ? responsesClientFormat : openAIFormat;
}
