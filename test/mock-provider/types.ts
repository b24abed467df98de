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
  /** Reported as usage.prompt_tokens_details.cached_tokens (capped at prompt_tokens). */
  cachedTokens?: number;
  /** Answer with this HTTP status and the provider's matching error body. */
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
}

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
  /** When set, every /v1 request must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** When set, chat/embeddings requests for other models get OpenAI's 404 model_not_found. */
  models?: string[];
  defaults?: MockScript;
}

export interface MockProvider {
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + '/v1' */
  baseUrl: string;
  requests: RecordedRequest[];
  enqueue(...scripts: MockScript[]): void;
  /** Clears recorded requests and the script queue. */
  reset(): void;
  /** Stops listening and ends every open connection, hanging ones included. */
  close(): Promise<void>;
}
