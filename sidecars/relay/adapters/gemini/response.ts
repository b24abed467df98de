/**
 * Gemini GenerateContentResponse → chat.completion, and its SSE stream → chat.completion.chunk.
 * A blocked prompt is refused (safety.ts), streamed or not; an answer a filter stopped ends with
 * content_filter and the filter's explanation as the message's refusal.
 */
import type { ChatCompletion, ChatCompletionChunk, FinishReason, ToolCall, ToolCallDelta } from '../../../../lib/openai-types';
import type { SseEvent } from '../../../../lib/sse';
import { openAIUsage, type TokenUsage } from '../../usage';
import { completionId, type MappedError, type StreamStep, type StreamTranslator, type TranslationContext, unreadableEvent } from '../types';
import { mapGeminiError } from './errors';
import type { GeminiPart, GoogleExtraContent } from './request';
import { blockedPrompt, filterStopExplanation, type GeminiPromptFeedback, type GeminiSafetyRating, isFilterStop } from './safety';

interface GeminiCandidate {
  index?: number;
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  finishMessage?: string;
  safetyRatings?: GeminiSafetyRating[];
}

export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
}

interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: GeminiPromptFeedback;
  usageMetadata?: GeminiUsageMetadata;
  error?: unknown;
}

/**
 * MAX_TOKENS → length; filters → content_filter; a normal end with function calls →
 * tool_calls; everything else (STOP, OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL, ...) → stop.
 */
export function mapFinishReason(reason: string, hasToolCalls: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (isFilterStop(reason)) return 'content_filter';
  return hasToolCalls ? 'tool_calls' : 'stop';
}

/**
 * promptTokenCount already includes cachedContentTokenCount; tool-use prompt tokens (search
 * grounding, code execution) are billed as input, so they count as prompt. Thinking tokens are
 * billed as output, as OpenAI bills reasoning: completion = candidates + thoughts.
 */
export function geminiTokenUsage(meta: GeminiUsageMetadata): TokenUsage {
  const prompt = (meta.promptTokenCount ?? 0) + (meta.toolUsePromptTokenCount ?? 0);
  const completion = (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0);
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: prompt + completion,
    cachedTokens: meta.cachedContentTokenCount ?? 0,
    reasoningTokens: meta.thoughtsTokenCount ?? 0,
  };
}

/** Ids Gemini did not give: stable per request and position (call_<requestId>_<n>). */
function toolCall(part: GeminiPart, ctx: TranslationContext, n: number): ToolCall & GoogleExtraContent {
  const call = part.functionCall as NonNullable<GeminiPart['functionCall']>;
  const out: ToolCall & GoogleExtraContent = {
    id: call.id || `call_${ctx.requestId}_${n}`,
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
  };
  if (part.thoughtSignature) out.extra_content = { google: { thought_signature: part.thoughtSignature } };
  return out;
}

function isText(part: GeminiPart): part is GeminiPart & { text: string } {
  return typeof part.text === 'string' && part.text !== '';
}

export function geminiChatResponse(body: unknown, ctx: TranslationContext): { completion: ChatCompletion; usage: TokenUsage | null; refused?: MappedError } {
  const response = (body ?? {}) as GeminiResponse;
  const usage = response.usageMetadata ? geminiTokenUsage(response.usageMetadata) : null;
  const candidates = Array.isArray(response.candidates) ? response.candidates : [];
  const refused = candidates.length === 0 ? blockedPrompt(response.promptFeedback) : null;
  let calls = 0;
  const choices: ChatCompletion['choices'] = candidates.map((candidate, i) => {
    const parts = candidate.content?.parts ?? [];
    const text = parts.filter((p) => isText(p) && !p.thought).map((p) => p.text as string);
    const thoughts = parts.filter((p) => isText(p) && p.thought).map((p) => p.text as string);
    const toolCalls = parts.filter((p) => p.functionCall).map((p) => toolCall(p, ctx, calls++));
    const message: ChatCompletion['choices'][number]['message'] = {
      role: 'assistant',
      content: text.length > 0 ? text.join('') : toolCalls.length > 0 ? null : '',
      refusal: filterStopExplanation(candidate),
    };
    if (thoughts.length > 0) message.reasoning_content = thoughts.join('');
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    return {
      index: candidate.index ?? i,
      message,
      logprobs: null,
      finish_reason: mapFinishReason(candidate.finishReason ?? 'STOP', toolCalls.length > 0),
    };
  });
  if (choices.length === 0) {
    // A blocked prompt has no candidates; the relay answers `refused`, never this empty choice.
    choices.push({ index: 0, message: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: refused ? 'content_filter' : 'stop' });
  }
  const completion: ChatCompletion = { id: completionId(ctx.requestId), object: 'chat.completion', created: ctx.created, model: ctx.model, choices };
  if (usage) completion.usage = openAIUsage(usage);
  return refused ? { completion, usage, refused } : { completion, usage };
}

interface ChoiceState {
  started: boolean;
  toolCalls: number;
  finished: boolean;
}

/**
 * Gemini streams full GenerateContentResponse objects, one per `data:` event, and no [DONE].
 * Each function call arrives whole, so it becomes one tool_calls delta with its full arguments.
 * The end signal is `end()`, which the relay calls at EOF: it answers `done` (with the last
 * usage) when every candidate seen had its finishReason, and nothing when the stream was cut,
 * so a cut stream is never taken for a complete one. Usage is reported on every step that
 * carries usageMetadata (later steps overwrite); the usage chunk itself is the client
 * encoder's to write, so no chunk carries usage.
 */
export class GeminiStreamTranslator implements StreamTranslator {
  private readonly choices = new Map<number, ChoiceState>();
  private calls = 0;
  private usage: TokenUsage | undefined;

  constructor(private readonly ctx: TranslationContext) {}

  push(event: SseEvent): StreamStep {
    if (event.data === undefined || event.data.trim() === '') return { chunks: [] };
    let response: GeminiResponse;
    try {
      response = JSON.parse(event.data) as GeminiResponse;
    } catch {
      return unreadableEvent('gemini');
    }
    if (response.error) {
      const code = (response.error as { code?: unknown }).code;
      const mapped = mapGeminiError(typeof code === 'number' ? code : 500, JSON.stringify({ error: response.error }), {});
      return { chunks: [], error: mapped };
    }
    const step: StreamStep = { chunks: [] };
    if (response.usageMetadata) this.usage = geminiTokenUsage(response.usageMetadata);
    if (this.usage) step.usage = this.usage;

    const candidates = Array.isArray(response.candidates) ? response.candidates : [];
    const refused = candidates.length === 0 ? blockedPrompt(response.promptFeedback) : null;
    if (refused) return { ...step, refused };
    candidates.forEach((candidate, i) => this.candidate(candidate, candidate.index ?? i, step.chunks));
    return step;
  }

  /** EOF: a clean end only if every candidate finished. */
  end(): StreamStep {
    const finished = this.choices.size > 0 && [...this.choices.values()].every((c) => c.finished);
    if (!finished) return { chunks: [] };
    return this.usage ? { chunks: [], done: true, usage: this.usage } : { chunks: [], done: true };
  }

  private base(): Omit<ChatCompletionChunk, 'choices'> {
    return { id: completionId(this.ctx.requestId), object: 'chat.completion.chunk', created: this.ctx.created, model: this.ctx.model };
  }

  private state(index: number): ChoiceState {
    let state = this.choices.get(index);
    if (!state) this.choices.set(index, (state = { started: false, toolCalls: 0, finished: false }));
    return state;
  }

  private delta(index: number, delta: ChatCompletionChunk['choices'][number]['delta'], out: ChatCompletionChunk[]): void {
    const state = this.state(index);
    // The first delta of each choice names the role, as OpenAI's does.
    const full = state.started ? delta : { role: 'assistant' as const, ...delta };
    state.started = true;
    out.push({ ...this.base(), choices: [{ index, delta: full, logprobs: null, finish_reason: null }] });
  }

  private finish(index: number, reason: FinishReason, out: ChatCompletionChunk[]): void {
    const state = this.state(index);
    if (!state.started) this.delta(index, { content: '' }, out);
    state.finished = true;
    out.push({ ...this.base(), choices: [{ index, delta: {}, logprobs: null, finish_reason: reason }] });
  }

  private candidate(candidate: GeminiCandidate, index: number, out: ChatCompletionChunk[]): void {
    const state = this.state(index);
    if (state.finished) return;
    for (const part of candidate.content?.parts ?? []) {
      if (part.functionCall) {
        const call = toolCall(part, this.ctx, this.calls++);
        const delta: ToolCallDelta & GoogleExtraContent = { index: state.toolCalls++, ...call };
        this.delta(index, { tool_calls: [delta] }, out);
      } else if (isText(part)) {
        this.delta(index, part.thought ? { reasoning_content: part.text } : { content: part.text }, out);
      }
    }
    const stopped = filterStopExplanation(candidate);
    if (stopped) this.delta(index, { refusal: stopped }, out);
    if (candidate.finishReason) this.finish(index, mapFinishReason(candidate.finishReason, state.toolCalls > 0), out);
  }
}
