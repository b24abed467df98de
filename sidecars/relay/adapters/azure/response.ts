/**
 * Azure's answers in OpenAI's exact shapes: prompt_filter_results, content_filter_results, the
 * first stream chunk with no choices and filter-annotation chunks with no delta are taken out.
 */
import type { ChatCompletion, ChatCompletionChunk } from '../../../../lib/openai-types';
import type { SseEvent } from '../../../../lib/sse';
import type { TokenUsage } from '../../usage';
import { usageFromResponse } from '../openai/usage';
import { completionId, type StreamStep, type StreamTranslator, type TranslationContext, unreadableEvent } from '../types';
import { mapAzureError } from './errors';
import { without } from './request';

const CHOICE_EXTRAS = ['content_filter_results', 'content_filter_offsets', 'content_filter_raw', 'content_filter_result'];
const TOP_EXTRAS = ['prompt_filter_results', 'prompt_annotations'];

export function azureChatResponse(body: unknown, ctx: TranslationContext): { completion: ChatCompletion; usage: TokenUsage | null } {
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const choices = (Array.isArray(raw.choices) ? raw.choices : []).map((c) => without(c as Record<string, unknown>, CHOICE_EXTRAS));
  const completion = {
    ...without(raw, TOP_EXTRAS),
    id: typeof raw.id === 'string' && raw.id !== '' ? raw.id : completionId(ctx.requestId),
    object: 'chat.completion',
    created: typeof raw.created === 'number' && raw.created > 0 ? raw.created : ctx.created,
    model: ctx.model,
    choices,
  } as unknown as ChatCompletion;
  return { completion, usage: usageFromResponse(raw) };
}

/**
 * Passes Azure's chunks on in OpenAI's shape: the prompt-filter chunk (no choices, no usage)
 * and filter-annotation chunks (no delta, no finish_reason) are dropped, filter results are
 * taken off the rest, and every chunk carries the stream's id and the public model name.
 * `[DONE]` ends the stream (done). Usage is reported on the step and taken off the chunks
 * (the usage chunk, choices: [], is dropped): the client encoder writes the usage chunk itself.
 */
export class AzureStreamTranslator implements StreamTranslator {
  private id: string | undefined;

  constructor(private readonly ctx: TranslationContext) {}

  push(event: SseEvent): StreamStep {
    const data = event.data?.trim();
    if (!data) return { chunks: [] };
    if (data === '[DONE]') return { chunks: [], done: true };
    let chunk: Record<string, unknown>;
    try {
      chunk = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return unreadableEvent('azure');
    }
    if (chunk.error) {
      const mapped = mapAzureError(500, JSON.stringify({ error: chunk.error }), {});
      return { chunks: [], error: mapped };
    }
    const step: StreamStep = { chunks: [] };
    const usage = usageFromResponse(chunk);
    if (usage) step.usage = usage;

    const choices = (Array.isArray(chunk.choices) ? chunk.choices : [])
      .map((c) => c as Record<string, unknown>)
      .filter((c) => (typeof c.delta === 'object' && c.delta !== null) || (c.finish_reason != null && c.finish_reason !== ''))
      .map((c) => ({ ...without(c, CHOICE_EXTRAS), delta: c.delta ?? {}, logprobs: c.logprobs ?? null, finish_reason: c.finish_reason ?? null }));
    if (choices.length === 0) return step;

    if (typeof chunk.id === 'string' && chunk.id !== '' && !this.id) this.id = chunk.id;
    step.chunks.push({
      ...without(chunk, [...TOP_EXTRAS, 'usage']),
      id: this.id ?? completionId(this.ctx.requestId),
      object: 'chat.completion.chunk',
      created: typeof chunk.created === 'number' && chunk.created > 0 ? chunk.created : this.ctx.created,
      model: this.ctx.model,
      choices,
    } as unknown as ChatCompletionChunk);
    return step;
  }
}
