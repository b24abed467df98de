/**
 * Canonical chat.completion → Responses `response` object, for /v1/responses clients: reasoning
 * (reasoning_content) as a reasoning item with a summary, text as a message item with one
 * output_text part, each tool call a function_call item; usage in the Responses names. The
 * request's settings are echoed back as OpenAI echoes them. Ids derive from the request id, so
 * the same answer renders the same items (the stream encoder and the kept context agree).
 */
import type { ChatCompletion, FinishReason } from '../../../../lib/openai-types';
import { isObject } from '../../../../lib/validate';
import { toTokenUsage } from '../../adapters/openai/usage';
import type { TokenUsage } from '../../usage';
import type { FunctionCallItem, MessageItem, OutputItem, ReasoningItem, ResponseObject, ResponseStatus, ResponseUsage } from './wire';

/** What every rendering of one answer shares: ids, the model, when it began, the request's settings. */
export interface ResponsesAnswerContext {
  requestId: string;
  /** The model that answered, as OpenAI reports its own. */
  model: string;
  /** Epoch seconds. */
  createdAt: number;
  echo: ResponseEcho;
}

/** The request's settings a response repeats (OpenAI's defaults where the request set none). */
export interface ResponseEcho {
  instructions: unknown;
  max_output_tokens: unknown;
  parallel_tool_calls: unknown;
  previous_response_id: unknown;
  prompt_cache_key: unknown;
  reasoning: { effort: unknown; summary: unknown };
  safety_identifier: unknown;
  store: unknown;
  temperature: unknown;
  text: { format: unknown; verbosity: unknown };
  tool_choice: unknown;
  tools: unknown;
  top_p: unknown;
  user: unknown;
  metadata: unknown;
}

const safe = (requestId: string): string => requestId.replace(/[^A-Za-z0-9_-]/g, '');
export const responseId = (requestId: string): string => `resp_${safe(requestId)}`;
/** An output item's id: its kind's prefix (msg, rs, fc), the request and its place in the output. */
export const itemId = (prefix: 'msg' | 'rs' | 'fc', requestId: string, outputIndex: number): string => `${prefix}_${safe(requestId)}_${outputIndex}`;
/** A call id for a provider that sent none. */
export const callId = (requestId: string, index: number): string => `call_${safe(requestId)}_${index}`;

/** The settings of a (validated) Responses request. */
export function responseEcho(body: Record<string, unknown>): ResponseEcho {
  const given = (key: string, fallback: unknown): unknown => body[key] ?? fallback;
  const reasoning = isObject(body.reasoning) ? body.reasoning : {};
  const text = isObject(body.text) ? body.text : {};
  return {
    instructions: given('instructions', null),
    max_output_tokens: given('max_output_tokens', null),
    parallel_tool_calls: given('parallel_tool_calls', true),
    previous_response_id: given('previous_response_id', null),
    prompt_cache_key: given('prompt_cache_key', null),
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    safety_identifier: given('safety_identifier', null),
    store: given('store', true),
    temperature: given('temperature', 1),
    text: { format: text.format ?? { type: 'text' }, verbosity: text.verbosity ?? 'medium' },
    tool_choice: given('tool_choice', 'auto'),
    tools: given('tools', []),
    top_p: given('top_p', 1),
    user: given('user', null),
    metadata: given('metadata', {}),
  };
}

/** The gateway's usage in the Responses names; cost and `estimated` as the chat format carries them. */
export function responseUsage(usage: TokenUsage, costUsd?: number | null): ResponseUsage {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedTokens },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.totalTokens,
    ...(costUsd !== undefined ? { cost: costUsd } : {}),
    ...(usage.estimated ? { estimated: true } : {}),
  };
}

/** Why an answer stopped short: the output limit, or a content filter; null when it finished. */
export function incompleteReason(finish: FinishReason | null | undefined): 'max_output_tokens' | 'content_filter' | null {
  if (finish === 'length') return 'max_output_tokens';
  if (finish === 'content_filter') return 'content_filter';
  return null;
}

/** How a response ended, beyond its status. */
export interface ResponseEnding {
  incomplete?: 'max_output_tokens' | 'content_filter' | null;
  error?: { code: string; message: string } | null;
  /** Epoch seconds; set once the response completed. */
  completedAt?: number | null;
}

/** The response object around its output, keys in OpenAI's order; `status` and `usage` as far as they are known. */
export function responseObject(
  ctx: ResponsesAnswerContext,
  status: ResponseStatus,
  output: OutputItem[],
  usage: ResponseUsage | null,
  ending: ResponseEnding = {},
): ResponseObject {
  const echo = ctx.echo;
  return {
    id: responseId(ctx.requestId),
    object: 'response',
    created_at: ctx.createdAt,
    status,
    background: false,
    completed_at: ending.completedAt ?? null,
    error: ending.error ?? null,
    incomplete_details: ending.incomplete ? { reason: ending.incomplete } : null,
    instructions: echo.instructions,
    max_output_tokens: echo.max_output_tokens,
    max_tool_calls: null,
    model: ctx.model,
    output,
    parallel_tool_calls: echo.parallel_tool_calls,
    previous_response_id: echo.previous_response_id,
    prompt_cache_key: echo.prompt_cache_key,
    reasoning: echo.reasoning,
    safety_identifier: echo.safety_identifier,
    service_tier: 'default',
    store: echo.store,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.tool_choice,
    tools: echo.tools,
    top_logprobs: 0,
    top_p: echo.top_p,
    truncation: 'disabled',
    usage,
    user: echo.user,
    metadata: echo.metadata,
  };
}

/** One canonical message's output items: reasoning, then text, then the function calls. */
export function outputItems(
  message: ChatCompletion['choices'][number]['message'] | undefined,
  finish: FinishReason | null | undefined,
  requestId: string,
): OutputItem[] {
  const items: OutputItem[] = [];
  if (message?.reasoning_content) {
    const reasoning: ReasoningItem = {
      id: itemId('rs', requestId, items.length),
      type: 'reasoning',
      summary: [{ type: 'summary_text', text: message.reasoning_content }],
    };
    items.push(reasoning);
  }
  const text = message?.content ?? message?.refusal;
  if (text) {
    const item: MessageItem = {
      id: itemId('msg', requestId, items.length),
      type: 'message',
      status: finish === 'length' ? 'incomplete' : 'completed',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text }],
      role: 'assistant',
    };
    items.push(item);
  }
  (message?.tool_calls ?? []).forEach((call, i) => {
    const item: FunctionCallItem = {
      id: itemId('fc', requestId, items.length),
      type: 'function_call',
      status: 'completed',
      arguments: call.function.arguments,
      call_id: call.id || callId(requestId, i),
      name: call.function.name,
    };
    items.push(item);
  });
  return items;
}

export function chatCompletionToResponse(
  completion: ChatCompletion,
  ctx: ResponsesAnswerContext,
  usage: TokenUsage | null,
  costUsd: number | null,
  completedAt: number,
): ResponseObject {
  const choice = completion.choices[0];
  const reported = usage ?? (completion.usage ? toTokenUsage(completion.usage) : null);
  const incomplete = incompleteReason(choice?.finish_reason);
  return responseObject(
    ctx,
    incomplete ? 'incomplete' : 'completed',
    outputItems(choice?.message, choice?.finish_reason, ctx.requestId),
    reported ? responseUsage(reported, costUsd) : null,
    { incomplete, completedAt: incomplete ? null : completedAt },
  );
}
