/**
 * The /v1/messages client format as the relay's ClientFormat (client-format.ts): the Anthropic
 * translators behind the interface the relay already renders OpenAI clients through.
 */
import type { ClientFormat } from '../client-format';
import { anthropicRequestForTarget, anthropicRequestToChat } from './request';
import { chatCompletionToAnthropic } from './response';
import { AnthropicStreamEncoder } from './stream-encoder';

/** The relay's ids are chatcmpl-<requestId>; Anthropic clients get msg_<requestId>. */
const requestIdOf = (id: string) => id.replace(/^chatcmpl-/, '');

/** Which Anthropic error type a gateway error code stands for, for stream `event: error`. */
function streamErrorType(code: string): string {
  if (code.includes('overloaded')) return 'overloaded_error';
  if (code.includes('rate_limit')) return 'rate_limit_error';
  if (code.includes('timeout')) return 'timeout_error';
  return 'api_error';
}

export const anthropicClientFormat: ClientFormat = {
  name: 'anthropic',
  toCanonical: anthropicRequestToChat,
  forTarget: anthropicRequestForTarget,
  completion(completion, usage) {
    // Anthropic's message has no cost field; the relay's x-gateway-cost header carries it.
    return chatCompletionToAnthropic(completion, { model: completion.model, requestId: requestIdOf(completion.id) }, usage);
  },
  streamEncoder(ctx) {
    const encoder = new AnthropicStreamEncoder({ model: ctx.model, requestId: requestIdOf(ctx.id) });
    return {
      chunk: (chunk) => encoder.push(chunk),
      finish: (usage) => encoder.finish(usage),
      error: (error) => encoder.errorEvent(error.message, streamErrorType(error.code ?? '')),
    };
  },
};
