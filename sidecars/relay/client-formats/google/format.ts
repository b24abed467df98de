/**
 * The Google GenAI client format (/v1beta/models/{model}:generateContent and
 * :streamGenerateContent?alt=sse) as the relay's ClientFormat. Unlike the others it is made per
 * request: the model and whether the answer streams are in the path, not the body.
 */
import { failed, gatewayError, ok } from '../../../../lib/errors';
import { anthropicRequestForTarget } from '../anthropic/request';
import type { ClientFormat } from '../client-format';
import { type GoogleCall, generateContentToChat } from './request';
import { chatCompletionToGoogle } from './response';
import { GoogleStreamEncoder } from './stream-encoder';

/** The relay's ids are chatcmpl-<requestId>; Gemini's responseId is the request id. */
const responseIdOf = (id: string) => id.replace(/^chatcmpl-/, '');

const SSE_ONLY = gatewayError(
  400,
  'streamGenerateContent is served as server-sent events only: add ?alt=sse (the Google GenAI SDKs do).',
  'alt_sse_required',
  'alt',
);

/** `query`: the request's raw query string, where `alt=sse` asks for server-sent events. */
export function googleClientFormat(call: GoogleCall, query: string): ClientFormat {
  const sse = new URLSearchParams(query).get('alt') === 'sse';
  return {
    name: 'google',
    toCanonical: (body) => generateContentToChat(body, call),
    // Its canonical form carries the same extensions as a Messages request's (top_k, thinking): taken out as for those.
    forTarget: anthropicRequestForTarget,
    // Google's usage has no cost field; the relay's x-gateway-cost header carries it.
    completion: (completion, usage) => chatCompletionToGoogle(completion, { modelVersion: completion.model, responseId: responseIdOf(completion.id) }, usage),
    streamEncoder(ctx) {
      const encoder = new GoogleStreamEncoder({ modelVersion: ctx.model, responseId: responseIdOf(ctx.id) });
      return {
        chunk: (chunk) => encoder.push(chunk),
        finish: (usage, costUsd) => encoder.finish(usage, costUsd),
        error: (error) => encoder.errorEvent(error),
      };
    },
    intent: () => (call.stream && !sse ? failed(SSE_ONLY) : ok({ stream: call.stream, wantsStreamUsage: false })),
  };
}
