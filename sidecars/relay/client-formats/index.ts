/** Which client format each relayed path speaks. */
import { openAIFormat, type ClientFormat } from './client-format';
import { anthropicClientFormat } from './anthropic/format';
import { clientFormatOf } from '../../../lib/errors';

/** The client's format, from the path it called: Anthropic's under /v1/messages, OpenAI's elsewhere. */
export function clientFormatFor(path: string): ClientFormat {
  return clientFormatOf(path) === 'anthropic' ? anthropicClientFormat : openAIFormat;
}
