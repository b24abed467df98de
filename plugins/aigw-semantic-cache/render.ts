/**
 * A hit answered in the client's own format, by the relay's own encoders (OpenAI chat, Anthropic
 * messages, a Responses object or events, Google's GenerateContentResponse; JSON or SSE as the
 * client asked, read as the relay reads it): a cached answer reads exactly as a fresh one would,
 * except that usage shows the original tokens at cost 0. Pure: the plugin sends what this returns.
 */
import type { ChatCompletion, ChatCompletionChunk, FinishReason, ToolCallDelta } from '../../lib/openai-types';
import type { CachedAnswer } from '../../lib/semantic-cache/types';
import { clientIntent } from '../../sidecars/relay/adapters/openai/passthrough';
import { clientFormatFor } from '../../sidecars/relay/client-formats';
import { SSE_HEADERS } from '../../sidecars/relay/stream-engine';
import type { TokenUsage } from '../../sidecars/relay/usage';

export interface RenderedHit {
  body: string;
  headers: Record<string, string>;
  stream: boolean;
  /** The answer as the client has it, where the gateway keeps answers (Responses: the response object, for previous_response_id). */
  kept: unknown;
}

export interface HitRequest {
  path: string;
  /** The raw query string: Google's streams are SSE only with `alt=sse`. */
  query: string;
  /** The client's body: whether it streams, and the settings a Responses answer repeats. */
  body: Record<string, unknown>;
  requestId: string;
  now: number;
}

/** The hit as the client's format renders it; null when the relay would refuse the request (Google's stream without alt=sse). */
export function renderHit(answer: CachedAnswer, request: HitRequest): RenderedHit | null {
  const pathFormat = clientFormatFor(request.path, request.query);
  const format = pathFormat.forRequest?.(request.body) ?? pathFormat;
  const intent = format.intent ? format.intent() : { ok: true as const, value: clientIntent(request.body) };
  if (!intent.ok) return null;
  const created = Math.floor(request.now / 1000);
  const completion: ChatCompletion = { ...(answer.completion as unknown as ChatCompletion), id: `chatcmpl-${request.requestId}`, created };
  const usage: TokenUsage = {
    promptTokens: answer.promptTokens,
    completionTokens: answer.completionTokens,
    totalTokens: answer.promptTokens + answer.completionTokens,
    cachedTokens: 0,
    reasoningTokens: 0,
  };
  if (!intent.value.stream) {
    const rendered = format.completion(completion, usage, 0);
    return { body: JSON.stringify(rendered), headers: { 'content-type': 'application/json' }, stream: false, kept: rendered };
  }
  // The answer's own prompt count, for formats that show usage at the start (Anthropic's message_start).
  const encoder = format.streamEncoder({
    id: completion.id,
    model: completion.model,
    created,
    wantsUsage: intent.value.wantsStreamUsage,
    promptTokens: () => usage.promptTokens,
  });
  const body =
    chunksOf(completion)
      .map((chunk) => encoder.chunk(chunk))
      .join('') + encoder.finish(usage, 0);
  return { body, headers: { ...SSE_HEADERS }, stream: true, kept: encoder.answer?.() };
}

type Delta = ChatCompletionChunk['choices'][number]['delta'];

/**
 * A whole completion as a provider would stream it: signed thinking block by block (its text, then
 * the block whole, as lib/openai-types.ts has streams carry it), the content, then the finish.
 */
function chunksOf(completion: ChatCompletion): ChatCompletionChunk[] {
  const choice = completion.choices[0];
  const message = choice?.message;
  const base = { id: completion.id, object: 'chat.completion.chunk' as const, created: completion.created, model: completion.model };
  const chunk = (delta: Delta, finish: FinishReason | null = null): ChatCompletionChunk => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const toolCalls: ToolCallDelta[] | undefined = message?.tool_calls?.map((call, index) => ({ index, id: call.id, type: 'function', function: call.function }));
  const blocks = message?.thinking_blocks ?? [];
  const thinking: Delta[] = blocks.map((block) => ({
    ...(block.type === 'thinking' && block.thinking ? { reasoning_content: block.thinking } : {}),
    thinking_blocks: [block],
  }));
  const answer: Delta = {
    // Reasoning without signed blocks (not Anthropic's) comes with the content.
    ...(message?.reasoning_content && blocks.length === 0 ? { reasoning_content: message.reasoning_content } : {}),
    ...(message?.content ? { content: message.content } : {}),
    ...(toolCalls?.length ? { tool_calls: toolCalls } : {}),
  };
  const [first, ...rest] = [...thinking, answer];
  return [chunk({ role: 'assistant', ...first }), ...rest.map((delta) => chunk(delta)), chunk({}, choice?.finish_reason ?? 'stop')];
}
