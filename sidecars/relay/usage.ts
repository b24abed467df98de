/**
 * What the relay records for every response it relays, streamed or not. Billing (budgets, the
 * spend ledger) settles from these records; they hold counts and ids, never prompt text.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { CompressionOutcome } from '../../lib/compression/report';
import type { ClientFormatName } from '../../lib/errors';
import type { Usage } from '../../lib/openai-types';
import type { RouteDecision } from '../../lib/router/decision';
import type { LoggedAttempt } from '../../lib/store/request-log';

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** Prompt tokens the provider served from its prompt cache (billed at the cached rate). */
  cachedTokens: number;
  /** Prompt tokens written to the provider's cache (Anthropic), billed at the cache-write rate. */
  cacheWriteTokens?: number;
  /** Of cacheWriteTokens, those written for an hour (Anthropic prices them above 5-minute writes). */
  cacheWrite1hTokens?: number;
  reasoningTokens: number;
  /** The provider reported no usage and the gateway counted tokens itself. */
  estimated?: boolean;
}

/** How a response ended. `upstream_overloaded`: the provider said it was overloaded after the answer began (Anthropic's overloaded_error mid-stream). */
export type UsageOutcome =
  | 'ok'
  | 'upstream_error'
  | 'upstream_unreachable'
  | 'timeout'
  | 'stream_interrupted'
  | 'upstream_overloaded'
  | 'client_aborted'
  /** The answer leaked what the route's response guardrails block: withheld or cut, billed for what was generated. */
  | 'guardrail_blocked';

export interface UsageRecord {
  requestId: string;
  endpoint: string;
  /** Public model name the client used. */
  model: string;
  provider: string;
  providerModel: string;
  stream: boolean;
  status: number;
  outcome: UsageOutcome;
  /** null when the provider reported none (a failure, or a stream cut before its usage chunk). */
  usage: TokenUsage | null;
  /** What the request was charged, nano-USD; null when the price is unknown. */
  costNano: number | null;
  keyId: string | null;
  teamId: string | null;
  /** The team's name and the key's alias (from the plan), for the metrics' `team` and `key` labels. */
  teamName?: string | null;
  keyAlias?: string | null;
  /** The client's API (openai, anthropic, google), for the metrics' `client_format` label. */
  clientFormat?: ClientFormatName;
  /** Time spent waiting on providers, all attempts together (the rest of durationMs is the gateway's). */
  providerMs?: number;
  /** A stream's mean gap between content chunks; null when it had fewer than two, absent when not streamed. */
  interTokenMs?: number | null;
  /** What prompt compression did, when it ran (aigw-prompt-compressor, via the plan). */
  compression?: CompressionSavings;
  startedAt: number;
  firstByteMs: number | null;
  durationMs: number;
  /** For the request log (lib/store/request-log.ts): every upstream attempt in order (the plan bounds how many). */
  attempts?: LoggedAttempt[];
  /** The machine-readable code of the error the client got, if any. */
  errorCode?: string | null;
  /** W3C trace id from the request's traceparent. */
  traceId?: string | null;
  /** The semantic cache looked the request up and missed (the relay stores the answer). */
  cacheMiss?: boolean;
  /** What the guardrails did, request and answer (lib/guardrails/actions.ts summary); null when nothing acted. */
  guardrailActions?: string | null;
  /** The prompt template rendered into the request (from the plan). */
  templateName?: string | null;
  templateVersion?: number | null;
  /** aigw-router's decision, when the client named a router (from the plan). */
  route?: RouteDecision | null;
}

export interface CompressionSavings {
  /** Methods joined with '+', e.g. "question_aware+structured". */
  method: string;
  outcome: CompressionOutcome;
  /** o200k tokens the compression removed from the prompt. */
  tokensSaved: number;
  /** Those tokens at the answering target's input price, nano-USD; null when the price is unknown. */
  savedNano: number | null;
  /** Compressed ÷ original tokens of the text compressed; absent when it failed open. */
  ratio?: number;
}

export interface UsageSink {
  record(entry: UsageRecord): void;
  close(): Promise<void>;
}

/** Appends one JSON line per record; the write is buffered by the stream, never awaited by a request. */
export class JsonlUsageSink implements UsageSink {
  private readonly out: WriteStream;
  constructor(path: string) {
    this.out = createWriteStream(path, { flags: 'a' });
  }
  record(entry: UsageRecord): void {
    this.out.write(JSON.stringify(entry) + '\n');
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(resolve));
  }
}

export class FanOutUsageSink implements UsageSink {
  constructor(private readonly sinks: UsageSink[]) {}
  record(entry: UsageRecord): void {
    for (const sink of this.sinks) sink.record(entry);
  }
  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}

/**
 * OpenAI's usage object for a TokenUsage: cache writes and the gateway's cost only when present,
 * `estimated` only when the gateway counted the tokens itself.
 */
export function openAIUsage(usage: TokenUsage, costUsd?: number | null): Usage {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens, ...(usage.cacheWriteTokens ? { cache_write_tokens: usage.cacheWriteTokens } : {}) },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    ...(costUsd !== undefined ? { cost: costUsd } : {}),
    ...(usage.estimated ? { estimated: true } : {}),
  };
}
