/**
 * How the relay speaks to the client: OpenAI's format (chat completions), Anthropic's
 * (/v1/messages) or Google's (/v1beta/models/{model}:generateContent). Completions, stream chunks and the stream's end are rendered here, so a
 * translated answer reaches each client exactly in the format its SDK parses; error bodies are
 * lib/errors' errorBody, in the format clientFormatOf names.
 */
import { type ClientFormatName, errorBody, type GatewayError, type Result } from '../../../lib/errors';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../../lib/openai-types';
import { sseData } from '../../../lib/sse';
import type { Family } from '../../../lib/translation-policy';
import type { ClientIntent } from '../adapters/openai/passthrough';
import { openAIUsage, type TokenUsage } from '../usage';

export interface StreamEncoder {
  chunk(chunk: ChatCompletionChunk): string;
  /** Usage the provider reported before the end: a format that shows usage at the start (Anthropic's message_start) takes the prompt side from it. */
  reportedUsage?(usage: TokenUsage): void;
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
  /** The canonical request as a target of this family gets it: what the policy does not translate for it taken out. */
  forTarget(request: ChatRequest, family: Family): ChatRequest;
  completion(completion: ChatCompletion, usage: TokenUsage | null, costUsd: number | null): unknown;
  streamEncoder(ctx: StreamContext): StreamEncoder;
  /** This format for one request, where answers repeat the request's settings (Responses). */
  forRequest?(body: Record<string, unknown>): ClientFormat;
  /** Whether the client streams, when its body does not say (Google's path does); absent: the body's `stream`. */
  intent?(): Result<ClientIntent>;
}

export interface StreamContext {
  id: string;
  model: string;
  created: number;
  wantsUsage: boolean;
  /**
   * The best prompt-token count known before the provider reports one (the gateway's estimate;
   * a cached answer's own count), for formats that show usage at the start. Asked only if needed.
   */
  promptTokens?: () => number;
}

export const openAIFormat: ClientFormat = {
  name: 'openai',
  toCanonical: (body) => ({ ok: true, request: body as ChatRequest }),
  // The canonical request is the client's own: the adapters read only what they translate.
  forTarget: (request) => request,
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
