/**
 * How the relay speaks to the client: OpenAI's format (chat completions), Anthropic's
 * (/v1/messages) or Google's (/v1beta/models/{model}:generateContent). Completions, stream chunks and the stream's end are rendered here, so a
 * translated answer reaches each client exactly in the format its SDK parses; error bodies are
 * lib/errors' errorBody, in the format clientFormatOf names.
 */
import { type ClientFormatName, errorBody, type GatewayError, type Result } from '../../../lib/errors';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../../lib/openai-types';
import { sseData } from '../../../lib/sse';
import type { ClientIntent } from '../adapters/openai/passthrough';
import { openAIUsage, type TokenUsage } from '../usage';

export interface StreamEncoder {
  chunk(chunk: ChatCompletionChunk): string;
  /** The end of a complete answer: usage (with the gateway's cost) where the format carries it. */
  finish(usage: TokenUsage | null, costUsd: number | null): string;
  /** A failure after the answer began: an explicit error event, never a silent end. */
  error(error: GatewayError): string;
}

/** The client's request in canonical (OpenAI) form, or the 400 refusing what cannot be expressed. */
export type CanonicalRequest = { ok: true; request: ChatRequest } | { ok: false; refusal: GatewayError };

export interface ClientFormat {
  name: ClientFormatName;
  toCanonical(body: Record<string, unknown>): CanonicalRequest;
  completion(completion: ChatCompletion, usage: TokenUsage | null, costUsd: number | null): unknown;
  streamEncoder(ctx: { id: string; model: string; created: number; wantsUsage: boolean }): StreamEncoder;
  /** Whether the client streams, when its body does not say (Google's path does); absent: the body's `stream`. */
  intent?(): Result<ClientIntent>;
}

export const openAIFormat: ClientFormat = {
  name: 'openai',
  toCanonical: (body) => ({ ok: true, request: body as ChatRequest }),
  completion(completion, usage, costUsd) {
    return usage ? { ...completion, usage: openAIUsage(usage, costUsd) } : completion;
  },
  streamEncoder(ctx) {
    return {
      chunk: (chunk) => sseData(chunk),
      finish(usage, costUsd) {
        const usageChunk =
          ctx.wantsUsage && usage
            ? sseData({ id: ctx.id, object: 'chat.completion.chunk', created: ctx.created, model: ctx.model, choices: [], usage: openAIUsage(usage, costUsd) })
            : '';
        return usageChunk + 'data: [DONE]\n\n';
      },
      error: (error) => sseData(errorBody('openai', error)),
    };
  },
};
