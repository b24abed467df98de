/**
 * Canonical chat.completion → Gemini GenerateContentResponse, for Google GenAI clients of a
 * translated target: each choice a candidate (reasoning as thought parts, then text, then
 * function calls), finish reasons in Gemini's terms, usage as usageMetadata (the inverse of the
 * Gemini adapter's geminiTokenUsage).
 */
import type { ChatCompletion, FinishReason, ToolCall } from '../../../../lib/openai-types';
import type { GeminiPart } from '../../adapters/gemini/request';
import type { GeminiUsageMetadata } from '../../adapters/gemini/response';
import type { TokenUsage } from '../../usage';
import { toolInput } from '../anthropic/response';

export interface GeminiCandidate {
  content: { parts: GeminiPart[]; role: 'model' };
  finishReason?: string;
  index: number;
}

export interface GenerateContentResponse {
  candidates: GeminiCandidate[];
  usageMetadata?: GeminiUsageMetadata;
  modelVersion: string;
  responseId: string;
}

/** Where the answer comes from, as Gemini reports it: the model that answered, and an id. */
export interface GoogleAnswerContext {
  modelVersion: string;
  responseId: string;
}

/** Gemini ends a turn of function calls with STOP, as any other; every filter is SAFETY to a client. */
const FINISH_REASONS: ReadonlyMap<FinishReason, string> = new Map([
  ['stop', 'STOP'],
  ['tool_calls', 'STOP'],
  ['function_call', 'STOP'],
  ['length', 'MAX_TOKENS'],
  ['content_filter', 'SAFETY'],
]);

export function geminiFinishReason(reason: FinishReason | null | undefined): string | undefined {
  return reason ? FINISH_REASONS.get(reason) : undefined;
}

/** promptTokenCount includes the cached tokens; thinking is counted apart from the candidates, as Gemini reports it. */
export function geminiUsageMetadata(usage: TokenUsage): GeminiUsageMetadata {
  const meta: GeminiUsageMetadata = {
    promptTokenCount: usage.promptTokens,
    candidatesTokenCount: Math.max(0, usage.completionTokens - usage.reasoningTokens),
    totalTokenCount: usage.promptTokens + usage.completionTokens,
  };
  if (usage.cachedTokens > 0) meta.cachedContentTokenCount = usage.cachedTokens;
  if (usage.reasoningTokens > 0) meta.thoughtsTokenCount = usage.reasoningTokens;
  return meta;
}

/** A function call as Gemini writes it: whole, its arguments an object, with the call's id so a response can name it. */
export function functionCallPart(call: Pick<ToolCall, 'id'> & { function: { name: string; arguments: string } }): GeminiPart {
  return { functionCall: { id: call.id, name: call.function.name, args: toolInput(call.function.arguments) as Record<string, unknown> } };
}

/** Gemini never sends a candidate without content: an empty answer is one empty text part. */
function contentOf(parts: GeminiPart[]): GeminiCandidate['content'] {
  return { parts: parts.length > 0 ? parts : [{ text: '' }], role: 'model' };
}

export function candidate(parts: GeminiPart[], index: number, finish?: string): GeminiCandidate {
  return { content: contentOf(parts), ...(finish ? { finishReason: finish } : {}), index };
}

export function chatCompletionToGoogle(completion: ChatCompletion, ctx: GoogleAnswerContext, usage: TokenUsage | null): GenerateContentResponse {
  const candidates = completion.choices.map((choice) => {
    const message = choice.message;
    const parts: GeminiPart[] = [];
    if (message.reasoning_content) parts.push({ text: message.reasoning_content, thought: true });
    if (message.content) parts.push({ text: message.content });
    for (const call of message.tool_calls ?? []) parts.push(functionCallPart(call));
    return candidate(parts, choice.index, geminiFinishReason(choice.finish_reason));
  });
  return { candidates, ...(usage ? { usageMetadata: geminiUsageMetadata(usage) } : {}), modelVersion: ctx.modelVersion, responseId: ctx.responseId };
}
