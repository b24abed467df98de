/** OpenAI's usage object, and its providers' variants, as the gateway counts tokens. */
import type { TokenUsage } from '../../usage';

export interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  /** DeepSeek reports its context-cache hits here. */
  prompt_cache_hit_tokens?: number;
}

export function toTokenUsage(usage: OpenAIUsage): TokenUsage {
  const prompt = usage.prompt_tokens ?? 0;
  const completion = usage.completion_tokens ?? 0;
  const cacheWrite = usage.prompt_tokens_details?.cache_write_tokens ?? 0;
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: usage.total_tokens ?? prompt + completion,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? usage.prompt_cache_hit_tokens ?? 0,
    ...(cacheWrite ? { cacheWriteTokens: cacheWrite } : {}),
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}

export function usageObject(value: unknown): OpenAIUsage | null {
  return typeof value === 'object' && value !== null ? (value as OpenAIUsage) : null;
}

/** Usage of a complete (non-streamed) chat completion or embeddings response. */
export function usageFromResponse(body: unknown): TokenUsage | null {
  const usage = usageObject((body as { usage?: unknown } | null)?.usage);
  return usage ? toTokenUsage(usage) : null;
}

/** Usage on a stream chunk; Groq's older streams carry it under x_groq. */
export function chunkUsage(chunk: { usage?: unknown; x_groq?: unknown }): TokenUsage | null {
  const usage = usageObject(chunk.usage) ?? usageObject((chunk.x_groq as { usage?: unknown } | undefined)?.usage);
  return usage ? toTokenUsage(usage) : null;
}
