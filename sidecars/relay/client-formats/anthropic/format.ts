/**
 * The /v1/messages client format as the relay's ClientFormat (client-format.ts): the Anthropic
 * translators behind the interface the relay already renders OpenAI clients through.
 */
import type { AnthropicErrorBody } from '../../../../lib/anthropic-error';
import { errorBody } from '../../../../lib/errors';
import type { ClientFormat } from '../client-format';
import { anthropicRequestForTarget, anthropicRequestToChat } from './request';
import { chatCompletionToAnthropic } from './response';
import { AnthropicStreamEncoder } from './stream-encoder';

/** The relay's ids are chatcmpl-<requestId>; Anthropic clients get msg_<requestId>. */
const requestIdOf = (id: string) => id.replace(/^chatcmpl-/, '');

export const anthropicClientFormat: ClientFormat = {
  name: 'anthropic',
  toCanonical: anthropicRequestToChat,
  forTarget: anthropicRequestForTarget,
  completion(completion, usage) {
    // Anthropic's message has no cost field; the relay's x-gateway-cost header carries it.
    return chatCompletionToAnthropic(completion, { model: completion.model, requestId: requestIdOf(completion.id) }, usage);
  },
  streamEncoder(ctx) {
    const encoder = new AnthropicStreamEncoder({ model: ctx.model, requestId: requestIdOf(ctx.id), promptTokens: ctx.promptTokens });
    return {
      chunk: (chunk) => encoder.push(chunk),
      reportedUsage: (usage) => encoder.reportedUsage(usage),
      finish: (usage, costUsd) => encoder.finish(usage, costUsd),
      // The type and words the same error would have had as a response (errorBody): a 503 is overloaded_error.
      error: (error) => {
        const { type, message } = (errorBody('anthropic', error) as AnthropicErrorBody).error;
        return encoder.errorEvent(message, type);
      },
    };
  },
};
