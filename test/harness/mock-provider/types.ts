// Public types of the mock provider. Other test code depends on these shapes: extend, never break.

export type MockFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** How one request is answered. Every field is optional; unset fields fall back to the server defaults. */
export interface MockScript {
  /** Answer length in tokens (generated text). Ignored when `content` is set. */
  tokens?: number;
  /** Explicit answer text (split into stream chunks by the mock tokenizer). */
  content?: string;
  /** Delay before the first token (and before the response headers). */
  ttftMs?: number;
  /** Pace of tokens after the first; unset or 0 = as fast as possible. */
  tokensPerSecond?: number;
  /** Forces the final finish_reason. */
  finishReason?: MockFinishReason;
  /**
   * Prompt tokens served from the provider's cache (capped at the prompt). OpenAI:
   * prompt_tokens_details.cached_tokens; Anthropic: cache_read_input_tokens (and input_tokens
   * shrinks by as much); Gemini: cachedContentTokenCount (part of promptTokenCount).
   */
  cachedTokens?: number;
  /** Anthropic only: cache_creation_input_tokens (also taken out of input_tokens). */
  cacheWriteTokens?: number;
  /**
   * Hidden reasoning tokens on top of the answer. OpenAI: completion_tokens_details.reasoning_tokens
   * (and counted in completion_tokens); Anthropic: counted in output_tokens; Gemini: thoughtsTokenCount.
   */
  reasoningTokens?: number;
  /**
   * Answer with this HTTP status and the provider's matching error body. 400 is each provider's
   * context-window error (OpenAI context_length_exceeded, Anthropic "prompt is too long",
   * Gemini "The input token count ... exceeds the maximum").
   */
  status?: number;
  /** Retry-After header (seconds) on error answers; 429 defaults to 1. */
  retryAfterSeconds?: number;
  /** Replaces the error body of a `status` answer. */
  errorBody?: unknown;
  /** Accept the request and never answer, until the client goes away or the server closes. */
  hang?: boolean;
  /** Destroy the socket after N content chunks (stream) or before any response (non-stream). */
  cutAfterTokens?: number;
  /** Stream without the usage chunk even when stream_options.include_usage is true. */
  omitUsage?: boolean;
  /** Answer with tool calls instead of text. */
  toolCalls?: Array<{ name: string; arguments: string }>;
  /**
   * Anthropic only: the answer opens with a thinking block of this text, signed (streamed as a
   * thinking_delta per token, then a signature_delta); its tokens count as output. A thinking
   * block replayed in a later request's assistant turn with a signature the mock did not issue
   * for its text is refused with 400, as Anthropic refuses it.
   */
  thinking?: string;
  /** Anthropic only, streams: after N deltas the stream ends with an `event: error` (message_start always goes first). */
  streamErrorAfterTokens?: number;
  /** The Anthropic error type of that event (default overloaded_error). */
  streamErrorType?: string;
  /**
   * Gemini only: the prompt is blocked. The answer has no candidates, only
   * `promptFeedback.blockReason` (SAFETY adds safety ratings), and usage for the prompt alone.
   */
  blockReason?: string;
  /** Gemini only: `promptFeedback.blockReasonMessage` (Vertex AI's readable block reason). */
  blockReasonMessage?: string;
  /**
   * Gemini only: the wire finishReason of the last chunk (PROHIBITED_CONTENT, RECITATION, SPII,
   * ...), replacing the one `finishReason` maps to; SAFETY adds the candidate's safety ratings.
   */
  geminiFinishReason?: string;
  /** Every dialect: the whole answer (JSON, SSE, error bodies) leaves compressed, each write flushed. */
  contentEncoding?: MockContentEncoding;
  /**
   * With `contentEncoding`: `corrupt` sends a body its decoder rejects; `bomb` ignores the answer
   * and sends zeros compressed (about 1,000 to 1), up to 1 GiB decoded or until the client leaves.
   */
  encodingFault?: 'corrupt' | 'bomb';
}

export type MockContentEncoding = 'gzip' | 'deflate' | 'br';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; the raw text when it was not JSON; undefined when empty. */
  body: unknown;
  receivedAt: number;
}

export interface MockProviderOptions {
  /** Only loopback is allowed; anything else is refused. */
  host?: string;
  /** 0 (default) = ephemeral. */
  port?: number;
  /**
   * When set, API requests must carry it: OpenAI `Authorization: Bearer`, Anthropic `x-api-key`,
   * Gemini `x-goog-api-key` or `?key=`, Azure `api-key`.
   */
  apiKey?: string;
  /** When set, requests for other models get the provider's 404 (model not found). */
  models?: string[];
  defaults?: MockScript;
}

export interface MockProvider {
  /** http://127.0.0.1:PORT */
  url: string;
  /**
   * What the provider's official SDK takes as its base URL: url + '/v1' for OpenAI; url itself
   * for Anthropic (the SDK appends /v1/messages) and Gemini (clients append /v1beta/models/...).
   */
  baseUrl: string;
  requests: RecordedRequest[];
  enqueue(...scripts: MockScript[]): void;
  /** Clears recorded requests and the script queue. */
  reset(): void;
  /** Stops listening and ends every open connection, hanging ones included. */
  close(): Promise<void>;
}

/** One server speaking all four dialects (OpenAI, Anthropic, Gemini, Azure OpenAI), each on its own routes. `baseUrl` is OpenAI's. */
export interface MockProviders extends MockProvider {
  baseUrls: { openai: string; anthropic: string; gemini: string; azure: string };
}
