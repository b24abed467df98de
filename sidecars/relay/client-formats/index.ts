/** Which client format each relayed path speaks. */

import { clientFormatOf } from '../../../lib/errors';
import { anthropicClientFormat } from './anthropic/format';
import { type ClientFormat, openAIFormat } from './client-format';

/** The client's format, from the path it called: Anthropic's under /v1/messages, OpenAI's elsewhere. */
export function clientFormatFor(path: string): ClientFormat {
  return clientFormatOf(path) === 'anthropic' ? anthropicClientFormat : openAIFormat;
}
