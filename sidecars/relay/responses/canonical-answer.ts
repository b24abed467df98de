/**
 * OpenAI's own Responses answer (pass-through, JSON or a stream's final response) as the canonical
 * completion the semantic cache stores, the inverse of client-formats/responses/response.ts:
 * output_text as the content, reasoning summaries as reasoning_content, function_call items as
 * tool calls (reasoning without a summary, encrypted for its provider, is left out as the gateway's
 * own renderings leave it). Only a completed response whose every other item reads back is
 * returned: an incomplete or failed one, a refusal, or an item the canonical form cannot hold
 * (built-in tool calls) is not an answer to replay.
 */
import type { ChatCompletion, ToolCall } from '../../../lib/openai-types';
import { isObject } from '../../../lib/validate';

type Item = Record<string, unknown>;

export function responseToCompletion(response: unknown): ChatCompletion | null {
  if (!isObject(response) || response.status !== 'completed' || !Array.isArray(response.output)) return null;
  let content = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const item of response.output as Item[]) {
    if (item?.type === 'message') {
      const text = messageText(item.content);
      if (text === null) return null;
      content += text;
    } else if (item?.type === 'reasoning') {
      reasoning += Array.isArray(item.summary) ? (item.summary as Item[]).map((part) => (typeof part?.text === 'string' ? part.text : '')).join('') : '';
    } else if (item?.type === 'function_call' && typeof item.call_id === 'string' && typeof item.name === 'string' && typeof item.arguments === 'string') {
      toolCalls.push({ id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } });
    } else return null;
  }
  return {
    id: typeof response.id === 'string' ? response.id : '',
    object: 'chat.completion',
    created: typeof response.created_at === 'number' ? response.created_at : 0,
    model: typeof response.model === 'string' ? response.model : '',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: content || null,
          refusal: null,
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
          ...(reasoning ? { reasoning_content: reasoning } : {}),
        },
        logprobs: null,
        finish_reason: toolCalls.length ? 'tool_calls' : 'stop',
      },
    ],
  };
}

/** A message item's output text; null when it holds anything else (a refusal). */
function messageText(parts: unknown): string | null {
  if (!Array.isArray(parts)) return null;
  let text = '';
  for (const part of parts as Item[]) {
    if (part?.type !== 'output_text' || typeof part.text !== 'string') return null;
    text += part.text;
  }
  return text;
}
