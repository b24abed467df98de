/**
 * Provider adapters: pure translators between the canonical OpenAI format and one wire format,
 * one folder per wire format (openai/, azure/, anthropic/, gemini/), each exporting an AdapterSpec.
 * No I/O: the relay does the HTTP; adapters build requests and translate what comes back, so each
 * is tested against recorded wire transcripts.
 */
import type { OpenAIErrorBody } from '../../../lib/openai-error';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../../lib/openai-types';
import type { PlanTarget } from '../../../lib/plan';
import type { SseEvent } from '../../../lib/sse';
import type { TokenUsage } from '../usage';

export interface UpstreamHttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Request features the target cannot take and the adapter left out (counted in a metric). */
  dropped?: string[];
}

/** A request the target cannot serve as asked (e.g. `n` > 1 on Anthropic): a clear 400, not a guess. */
export interface AdapterRefusal {
  status: 400;
  message: string;
  param: string | null;
  code: string;
}

/** A feature this provider cannot serve as asked. */
export function unsupported(message: string, param: string | null = null): AdapterRefusal {
  return { status: 400, message, param, code: 'unsupported_for_provider' };
}

export interface TranslationContext {
  /** The model name to report to the client: the provider's model, as OpenAI's own responses report theirs. */
  model: string;
  /** Used for generated ids (chatcmpl-<requestId>). */
  requestId: string;
  /** Epoch seconds for `created`. */
  created: number;
}

/** What one upstream SSE event becomes. */
export interface StreamStep {
  chunks: ChatCompletionChunk[];
  /** Usage, once the provider has reported it (may come in pieces: later steps overwrite). */
  usage?: TokenUsage;
  /** The provider signalled the normal end of the stream. */
  done?: boolean;
  /** The provider reported an error inside the stream. */
  error?: { status: number; message: string; type: string };
}

export interface StreamTranslator {
  push(event: SseEvent): StreamStep;
}

export interface MappedError {
  status: number;
  body: OpenAIErrorBody;
  /** Headers to pass on (Retry-After, the provider's rate-limit headers under x-upstream-*). */
  headers: Record<string, string>;
  /** Why it failed, for failover decisions. */
  kind: 'caller' | 'rate_limit' | 'auth' | 'context_window' | 'content_policy' | 'server' | 'timeout';
}

export interface ChatAdapter {
  /** Build the upstream request for a canonical chat request, or refuse what the target cannot do. */
  chatRequest(target: PlanTarget, request: ChatRequest, apiKey: string | null): UpstreamHttpRequest | AdapterRefusal;
  /** Translate a complete response; usage normalised (null when the provider sent none). */
  chatResponse(body: unknown, ctx: TranslationContext): { completion: ChatCompletion; usage: TokenUsage | null };
  /** A fresh translator for one streamed response. */
  chatStream(ctx: TranslationContext): StreamTranslator;
  mapError(status: number, bodyText: string, headers: Record<string, string | undefined>): MappedError;
}

/** /v1/embeddings for a provider whose embeddings API is not OpenAI's. */
export interface EmbeddingsAdapter {
  request(target: PlanTarget, body: Record<string, unknown>, apiKey: string | null): UpstreamHttpRequest | AdapterRefusal;
  /** The OpenAI embeddings list the client expects, and usage (estimated when the provider gives none). */
  response(json: unknown, body: Record<string, unknown>): { body: unknown; usage: TokenUsage | null };
}

/** What a wire format's folder exports: its adapters, and how OpenAI-format requests reach it. */
export interface AdapterSpec {
  chat: ChatAdapter;
  /** null: the embeddings API is OpenAI's own, and the client's request passes through. */
  embeddings: EmbeddingsAdapter | null;
  /** OpenAI clients' requests and streams pass byte for byte (the wire format is OpenAI's). */
  passthrough: boolean;
  /** It takes OpenAI's chat request as it is: Anthropic-only fields of the canonical request are stripped first. */
  openAIChat: boolean;
}
