/**
 * Provider adapters: pure translators between the canonical OpenAI format and one wire format,
 * one folder per wire format (openai/, azure/, anthropic/, gemini/), each exporting an AdapterSpec.
 * No I/O: the relay does the HTTP; adapters build requests and translate what comes back, so each
 * is tested against recorded wire transcripts.
 */
import { type ClientFormatName, type GatewayError, gatewayError } from '../../../lib/errors';
import type { FailureKind } from '../../../lib/failure';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '../../../lib/openai-types';
import type { PlanTarget } from '../../../lib/plan';
import type { SseEvent } from '../../../lib/sse';
import type { UpstreamRequest } from '../upstream';
import type { TokenUsage } from '../usage';

/** A request an adapter built (always JSON text). */
export interface UpstreamHttpRequest extends UpstreamRequest {
  body: string;
  /** Request features the target cannot take and the adapter left out (counted in a metric). */
  dropped?: string[];
}

/**
 * A request the target cannot serve as asked (e.g. `n` > 1 on Anthropic) is refused with a 400
 * GatewayError value, never a guess: request builders return `UpstreamHttpRequest | GatewayError`.
 */
export function refusal(message: string, param: string | null, code: string): GatewayError {
  return gatewayError(400, message, code, param);
}

/** A feature this provider has no counterpart for. */
export function unsupported(message: string, param: string | null = null): GatewayError {
  return refusal(message, param, 'unsupported_for_provider');
}

/** Thrown deep inside a request builder; its entry point catches it and returns the 400 value. */
export class Refusal extends Error {
  constructor(
    message: string,
    readonly param: string | null,
    readonly code: string = 'unsupported_parameter',
  ) {
    super(message);
  }

  toGatewayError(): GatewayError {
    return refusal(this.message, this.param, this.code);
  }
}

export function isRefused<T extends object>(built: T | GatewayError): built is GatewayError {
  return 'status' in built;
}

export interface TranslationContext {
  /** The model name to report to the client: the provider's model, as OpenAI's own responses report theirs. */
  model: string;
  /** Used for generated ids (completionId). */
  requestId: string;
  /** Epoch seconds for `created`. */
  created: number;
}

/** The id of a completion the gateway writes itself: chatcmpl-<requestId>. */
export function completionId(requestId: string): string {
  return `chatcmpl-${requestId}`;
}

/** What one upstream SSE event becomes. */
export interface StreamStep {
  chunks: ChatCompletionChunk[];
  /** Usage, once the provider has reported it (may come in pieces: later steps overwrite). */
  usage?: TokenUsage;
  /**
   * The prompt side of usage, reported before the answer (Anthropic's message_start): shown to
   * clients that read usage at the start, never billed (only `usage` is).
   */
  promptUsage?: TokenUsage;
  /** The provider signalled the normal end of the stream. */
  done?: boolean;
  /** The provider reported an error inside the stream: the error it stands for, as its mapError would map it sent as an HTTP status. */
  error?: MappedError;
  /** The provider refused to answer at all (a blocked prompt): the attempt fails with this error, as unstreamed. */
  refused?: MappedError;
}

/** An error a provider reported inside its stream without saying which: a provider failure, as an HTTP 5xx would be. */
export function streamFailure(message: string, code = 'upstream_error'): MappedError {
  return { ...gatewayError(502, message, code), type: 'api_error', kind: 'server' };
}

/** A stream event that is not the JSON it should be: the provider broke its stream (as a body that is not JSON). */
export function unreadableEvent(provider: string): StreamStep {
  return { chunks: [], error: streamFailure(`The provider (${provider}) sent an unreadable stream event.`, 'upstream_invalid_response') };
}

export interface StreamTranslator {
  push(event: SseEvent): StreamStep;
}

/** Why a provider answered with an error, for retry and failover decisions. */
export type UpstreamErrorKind = Extract<FailureKind, 'caller' | 'rate_limit' | 'auth' | 'context_window' | 'content_policy' | 'server' | 'timeout'>;

/** A provider's error as the gateway answers it (headers: Retry-After, normalised), and why it failed. */
export interface MappedError extends GatewayError {
  kind: UpstreamErrorKind;
}

export interface ChatAdapter {
  /** Build the upstream request for a canonical chat request, or refuse what the target cannot do. */
  chatRequest(target: PlanTarget, request: ChatRequest, apiKey: string | null): UpstreamHttpRequest | GatewayError;
  /**
   * Translate a complete response; usage normalised (null when the provider sent none). `refused`:
   * the provider would not answer (a blocked prompt), and the client gets this error instead.
   */
  chatResponse(body: unknown, ctx: TranslationContext): { completion: ChatCompletion; usage: TokenUsage | null; refused?: MappedError };
  /** A fresh translator for one streamed response. */
  chatStream(ctx: TranslationContext): StreamTranslator;
  mapError(status: number, bodyText: string, headers: Record<string, string | undefined>): MappedError;
}

/** /v1/embeddings for a provider whose embeddings API is not OpenAI's. */
export interface EmbeddingsAdapter {
  request(target: PlanTarget, body: Record<string, unknown>, apiKey: string | null): UpstreamHttpRequest | GatewayError;
  /** The OpenAI embeddings list the client expects, and usage (estimated when the provider gives none). */
  response(json: unknown, body: Record<string, unknown>): { body: unknown; usage: TokenUsage | null };
}

/**
 * A client format this wire format speaks itself: the client's request is sent as it is (model and
 * credential changed) and the answer passes back untouched, read alongside by the chat adapter.
 */
export interface NativeAdapter {
  clientFormat: ClientFormatName;
  /** Client headers (lower-case) the provider reads and the relay forwards, e.g. anthropic-beta. */
  forwardedHeaders: readonly string[];
  /** `stream`: whether the client streams (its body may not say: Google's path does). */
  request(
    target: PlanTarget,
    rawBody: Buffer,
    clientBody: Record<string, unknown>,
    clientHeaders: Readonly<Record<string, string>>,
    apiKey: string | null,
    stream: boolean,
  ): UpstreamRequest;
  /** The stream event that carries the final usage, and that event with the gateway's cost added (USD, `usage.cost`). */
  costEvent?: { carriesUsage(event: SseEvent): boolean; withCost(event: SseEvent, costUsd: number | null): string };
}

/**
 * A provider's exact input-token count (for /v1/messages/count_tokens), from the canonical form of
 * the Messages request it counts. Errors are the chat adapter's mapError: same API, same bodies.
 */
export interface TokenCountAdapter {
  /** The provider's count request; null when the request cannot be expressed there (the gateway estimates instead). */
  request(target: PlanTarget, request: ChatRequest, apiKey: string | null): UpstreamHttpRequest | GatewayError | null;
  /** The count in the provider's answer; null when it holds none. */
  inputTokens(json: unknown): number | null;
}

/** What a wire format's folder exports: its adapters, and how OpenAI-format requests reach it. */
export interface AdapterSpec {
  chat: ChatAdapter;
  /** null: the embeddings API is OpenAI's own, and the client's request passes through. */
  embeddings: EmbeddingsAdapter | null;
  /** null: no token-count endpoint on this wire format (lib/providers says which providers have one). */
  countTokens: TokenCountAdapter | null;
  /** OpenAI clients' requests and streams pass byte for byte (the wire format is OpenAI's). */
  passthrough: boolean;
  /** The client format it speaks natively (pass-through both ways), if any besides OpenAI's. */
  native?: NativeAdapter;
}

/** A count in a provider's answer: a non-negative safe integer in `field`, else null. */
export function countIn(json: unknown, field: string): number | null {
  if (typeof json !== 'object' || json === null || !Object.hasOwn(json, field)) return null;
  const value = (json as Record<string, unknown>)[field];
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** The fields of an object the gateway built that a narrower request takes, in the given order. */
export function pickFields(source: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (Object.hasOwn(source, field) && source[field] !== undefined) picked[field] = source[field];
  return picked;
}
