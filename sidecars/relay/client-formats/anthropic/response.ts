/**
 * Canonical chat.completion → Anthropic Message, for /v1/messages clients. Usage goes back to
 * Anthropic's split: input_tokens excludes the cache reads and writes OpenAI counts in prompt_tokens.
 */
import type { ChatCompletion, FinishReason, Usage } from '../../../../lib/openai-types';
import type { AnthropicContentBlock, AnthropicMessage, AnthropicStopReason, AnthropicUsage } from '../../adapters/anthropic/wire';
import { toTokenUsage } from '../../adapters/openai/usage';
import type { TokenUsage } from '../../usage';

export interface AnthropicAnswerContext {
  /** The model name the client asked for. */
  model: string;
  requestId: string;
}

export function messageId(ctx: AnthropicAnswerContext): string {
  return `msg_${ctx.requestId.replace(/[^A-Za-z0-9_-]/g, '')}`;
}

export function stopReason(finish: FinishReason | null | undefined): AnthropicStopReason | null {
  switch (finish) {
    case 'stop':
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return null;
  }
}

export function anthropicUsage(usage: TokenUsage | null | undefined): AnthropicUsage {
  if (!usage) return { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  const write = usage.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, usage.promptTokens - usage.cachedTokens - write),
    output_tokens: usage.completionTokens,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: usage.cachedTokens,
  };
}

/** The usage of a canonical completion or chunk (null when absent). */
export function usageFromOpenAI(usage: Usage | null | undefined): TokenUsage | null {
  return usage ? toTokenUsage(usage) : null;
}

/** Tool arguments as Anthropic's `input` object; text that is not JSON is passed on, not replaced by {}. */
export function toolInput(args: string): unknown {
  if (args === '') return {};
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

export function chatCompletionToAnthropic(completion: ChatCompletion, ctx: AnthropicAnswerContext, usage?: TokenUsage | null): AnthropicMessage {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: AnthropicContentBlock[] = [];
  const signed = (message as { thinking_blocks?: unknown } | undefined)?.thinking_blocks;
  if (Array.isArray(signed) && signed.length > 0) content.push(...(signed as AnthropicContentBlock[]));
  else if (message?.reasoning_content) content.push({ type: 'thinking', thinking: message.reasoning_content, signature: '' });
  if (message?.content) content.push({ type: 'text', text: message.content });
  for (const call of message?.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call.function.arguments) });
  }
  const stop = stopReason(choice?.finish_reason);
  return {
    id: messageId(ctx),
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    // A provider's filter explanation (the canonical refusal) is where Anthropic puts its own.
    ...(stop === 'refusal' && message?.refusal ? { stop_details: { type: 'refusal' as const, category: null, explanation: message.refusal } } : {}),
    usage: anthropicUsage(usage ?? usageFromOpenAI(completion.usage)),
  };
}
