/**
 * How the relay speaks to the client: OpenAI's format (chat completions) or Anthropic's
 * (/v1/messages). Completions, stream chunks and the stream's end are rendered here, so a
 * translated answer reaches each client exactly in the format its SDK parses; error bodies are
 * lib/errors' errorBody, in the format clientFormatOf names.
 */
import { type ClientFormatName, errorBody, type GatewayError } from '../../../lib/errors';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../../lib/openai-types';
import { sseData } from '../../../lib/sse';
import { openAIUsage, type TokenUsage } from '../usage';

export interface StreamEncoder {
  chunk(chunk: ChatCompletionChunk): string;
  /** The end of a complete answer: usage (with the gateway's cost) where the format carries it. */
  finish(usage: TokenUsage | null, costUsd: number | null): string;
  /** A failure after the answer began: an explicit error event, never a silent end. */
  error(error: GatewayError): string;
  /** The answer as the client has it so far, where the gateway keeps answers (Responses: the response object). */
  answer?(): unknown;
}

/** The client's request in canonical (OpenAI) form, or the 400 refusing what cannot be expressed. */
export type CanonicalRequest = { ok: true; request: ChatRequest } | { ok: false; refusal: GatewayError };

export interface ClientFormat {
  name: ClientFormatName;
  toCanonical(body: Record<string, unknown>): CanonicalRequest;
  completion(completion: ChatCompletion, usage: TokenUsage | null, costUsd: number | null): unknown;
  streamEncoder(ctx: { id: string; model: string; created: number; wantsUsage: boolean }): StreamEncoder;
  /** This format for one request, where answers repeat the request's settings (Responses). */
  forRequest?(body: Record<string, unknown>): ClientFormat;
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
