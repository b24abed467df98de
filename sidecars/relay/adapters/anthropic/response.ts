/**
 * Anthropic Messages response → canonical chat.completion, and Anthropic usage → TokenUsage.
 * OpenAI counts cached prompt tokens inside prompt_tokens; Anthropic reports them beside
 * input_tokens, so they are added back (cache reads and cache writes both).
 */
import type { ChatCompletion, FinishReason, ToolCall } from '../../../../lib/openai-types';
import { openAIUsage, type TokenUsage } from '../../usage';
import { completionId, type TranslationContext } from '../types';
import { type AnthropicContentBlock, type AnthropicMessage, type AnthropicStopReason, type AnthropicUsage, JSON_TOOL_NAME } from './wire';

export function finishReason(stop: AnthropicStopReason | string | null | undefined, jsonMode = false): FinishReason | null {
  switch (stop) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      // The forced JSON tool is the answer itself, not a call the client must run.
      return jsonMode ? 'stop' : 'tool_calls';
    case 'refusal':
      return 'content_filter';
    case null:
    case undefined:
      return null;
    default:
      return 'stop';
  }
}

export function tokenUsage(usage: Partial<AnthropicUsage>): TokenUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const cacheWrite1h = Math.min(usage.cache_creation?.ephemeral_1h_input_tokens ?? 0, cacheWrite);
  const prompt = (usage.input_tokens ?? 0) + cacheRead + cacheWrite;
  const completion = usage.output_tokens ?? 0;
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: prompt + completion,
    cachedTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    ...(cacheWrite1h > 0 ? { cacheWrite1hTokens: cacheWrite1h } : {}),
    reasoningTokens: usage.output_tokens_details?.thinking_tokens ?? 0,
  };
}

export function translateResponse(body: unknown, ctx: TranslationContext): { completion: ChatCompletion; usage: TokenUsage | null } {
  const message = (body ?? {}) as Partial<AnthropicMessage>;
  const blocks: AnthropicContentBlock[] = Array.isArray(message.content) ? message.content : [];
  let text = '';
  let hasText = false;
  let reasoning = '';
  let jsonMode = false;
  const toolCalls: ToolCall[] = [];
  // Signed thinking, kept so a client can replay it to Anthropic (tool use with thinking needs it).
  const thinkingBlocks: AnthropicContentBlock[] = [];
  for (const block of blocks) {
    if (block.type === 'text') {
      text += block.text;
      hasText = true;
    } else if (block.type === 'thinking') {
      reasoning += block.thinking;
      thinkingBlocks.push({ type: 'thinking', thinking: block.thinking, signature: block.signature });
    } else if (block.type === 'redacted_thinking') {
      thinkingBlocks.push({ type: 'redacted_thinking', data: block.data });
    } else if (block.type === 'tool_use') {
      if (block.name === JSON_TOOL_NAME) {
        // Emulated JSON mode: the tool input is the answer (see request.ts).
        text += JSON.stringify(block.input ?? {});
        hasText = true;
        jsonMode = true;
      } else {
        toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
      }
    }
    // Server-tool blocks have no OpenAI counterpart.
  }
  const usage = message.usage ? tokenUsage(message.usage) : null;
  const completion: ChatCompletion = {
    id: completionId(ctx.requestId),
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: hasText ? text : null,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          ...(reasoning !== '' ? { reasoning_content: reasoning } : {}),
          // Extension (as LiteLLM names it); OpenAI clients ignore unknown message fields.
          ...(thinkingBlocks.length > 0 ? ({ thinking_blocks: thinkingBlocks } as object) : {}),
        },
        logprobs: null,
        finish_reason: finishReason(message.stop_reason, jsonMode && toolCalls.length === 0),
      },
    ],
  };
  if (usage) completion.usage = openAIUsage(usage);
  return { completion, usage };
}
