/**
 * How the relay speaks to the client: OpenAI's format (chat completions) or Anthropic's
 * (/v1/messages). Completions, stream chunks, the stream's end and errors are all rendered here,
 * so a translated answer reaches each client exactly in the format its SDK parses.
 */
import { openAIError, type OpenAIErrorBody } from '../../lib/openai-error';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../lib/openai-types';
import { sseData } from '../../lib/sse';
import { openAIUsage, type TokenUsage } from './usage';

export interface StreamEncoder {
  chunk(chunk: ChatCompletionChunk): string;
  /** The end of a complete answer: usage (with the gateway's cost) where the format carries it. */
  finish(usage: TokenUsage | null, costUsd: number | null): string;
  /** A failure after the answer began: an explicit error event, never a silent end. */
  error(message: string, code: string): string;
}

export interface FormatRefusal {
  status: 400;
  message: string;
  param: string | null;
  code: string;
}

export interface ClientFormat {
  name: 'openai' | 'anthropic';
  /** The request in canonical (OpenAI) form, or why it cannot be expressed. */
  toCanonical(body: Record<string, unknown>): { ok: true; request: ChatRequest } | { ok: false; refusal: FormatRefusal };
  completion(completion: ChatCompletion, usage: TokenUsage | null, costUsd: number | null): unknown;
  errorBody(status: number, body: OpenAIErrorBody): unknown;
  streamEncoder(ctx: { id: string; model: string; created: number; wantsUsage: boolean }): StreamEncoder;
}


export const openAIFormat: ClientFormat = {
  name: 'openai',
  toCanonical: (body) => ({ ok: true, request: body as ChatRequest }),
  completion(completion, usage, costUsd) {
    return usage ? { ...completion, usage: openAIUsage(usage, costUsd) } : completion;
  },
  errorBody(_status, body) {
    return body;
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
      error: (message, code) => sseData(openAIError(502, message, code)),
    };
  },
};
