// OpenAI's Responses API wire format (POST /v1/responses): the response object, its output items,
// usage and the streamed event sequence, as the API sends them. Pure functions, no I/O. Sources:
// the API reference (responses, streaming events) and the `openai` SDK v6 types
// (resources/responses/responses.d.ts) and its ResponseStream accumulator.

import { randomBytes } from 'node:crypto';
import type { AnswerPlan } from './answer';
import { type AnswerShape, FREE, forcedTool } from './structured';
import { countTokens } from './tokenizer';

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
export const newResponseId = (): string => `resp_${hex(24)}`;
export const newMessageItemId = (): string => `msg_${hex(24)}`;
export const newFunctionCallItemId = (): string => `fc_${hex(24)}`;

type Item = Record<string, unknown>;

/** The body OpenAI sends for an id it does not hold (the mock keeps nothing). */
export function previousResponseNotFound(id: string) {
  return {
    error: {
      message: `Previous response with id '${id}' not found.`,
      type: 'invalid_request_error',
      param: 'previous_response_id',
      code: 'previous_response_not_found',
    },
  };
}

/** A string input is one user message. */
export function inputItems(input: unknown): Item[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  return Array.isArray(input) ? (input as Item[]) : [];
}

/** The text of an item's content: a string, or its text parts (input_text, output_text). */
export function contentTexts(content: unknown): string[] {
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  return content.filter((p): p is { text: string } => typeof p?.text === 'string').map((p) => p.text);
}

/** Index of the last user message item (the directive's home), or -1. */
export function lastUserIndex(items: Item[]): number {
  return items.map((item) => ((item.type ?? 'message') === 'message' ? item.role : undefined)).lastIndexOf('user');
}

/**
 * input_tokens, the chat rule carried over so equal conversations cost the same in both APIs:
 *   3 + (instructions: 3 + tokens) + Σ items (3 + tokens of text parts, of a function call's name
 *   and arguments, of a function output) + tokens(JSON of `tools`) when tools are given.
 * `override` replaces one item's texts (the directive-stripped last user message).
 */
export function countInputTokens(body: Record<string, unknown>, override?: { index: number; texts: string[] }): number {
  let total = 3;
  if (typeof body.instructions === 'string') total += 3 + countTokens(body.instructions);
  inputItems(body.input).forEach((item, i) => {
    total += 3;
    if (override && override.index === i) total += override.texts.reduce((n, t) => n + countTokens(t), 0);
    else if (item.type === 'function_call') total += countTokens(String(item.name ?? '')) + countTokens(String(item.arguments ?? ''));
    else if (item.type === 'function_call_output') total += contentTexts(item.output).reduce((n, t) => n + countTokens(t), 0);
    else total += contentTexts(item.content).reduce((n, t) => n + countTokens(t), 0);
  });
  if (body.tools !== undefined) total += countTokens(JSON.stringify(body.tools));
  return total;
}

/**
 * What the request asks the answer to be: tool_choice "required" or a named function forces a
 * call (the Responses API ends a forced call with status completed, as it ends every call), else
 * text.format json_object / json_schema asks for JSON.
 */
export function answerShape(body: Record<string, unknown>): AnswerShape {
  const tools = (Array.isArray(body.tools) ? body.tools : [])
    .filter((t): t is { type: 'function'; name: string; parameters?: unknown } => t?.type === 'function' && typeof t.name === 'string')
    .map((t) => ({ name: t.name, schema: t.parameters }));
  const choice = body.tool_choice as { type?: unknown; name?: unknown } | string | undefined;
  if (tools.length > 0 && choice === 'required') return forcedTool(tools);
  if (tools.length > 0 && typeof choice === 'object' && choice?.type === 'function') return forcedTool(tools, [choice.name]);
  const format = (body.text as { format?: { type?: unknown; schema?: unknown } } | undefined)?.format;
  if (format?.type === 'json_object') return { kind: 'json' };
  if (format?.type === 'json_schema') return { kind: 'json', schema: format.schema };
  return FREE;
}

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** Reasoning tokens are hidden output: counted in output_tokens, as OpenAI bills them. */
export function usage(input: number, output: number, cached = 0, reasoning = 0): ResponseUsage {
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: Math.min(cached, input) },
    output_tokens: output + reasoning,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: input + output + reasoning,
  };
}

/** Fields shared by every rendering of one response. */
export interface ResponseMeta {
  id: string;
  createdAt: number;
  model: string;
  /** One id per output item (a message, or each function call), and one call id per call. */
  itemIds: string[];
  callIds: string[];
}

export function outputItems(meta: ResponseMeta, plan: AnswerPlan, status: 'in_progress' | 'completed' | 'incomplete'): Item[] {
  if (plan.toolCalls.length > 0) {
    return plan.toolCalls.map((call, i) => ({
      id: meta.itemIds[i],
      type: 'function_call',
      status: status === 'in_progress' ? 'in_progress' : 'completed',
      arguments: status === 'in_progress' ? '' : call.arguments,
      call_id: meta.callIds[i],
      name: call.name,
    }));
  }
  const text = status === 'in_progress' ? '' : plan.pieces.join('');
  return [
    {
      id: meta.itemIds[0],
      type: 'message',
      status,
      content: status === 'in_progress' ? [] : [outputText(text)],
      role: 'assistant',
    },
  ];
}

export const outputText = (text: string) => ({ type: 'output_text', annotations: [], logprobs: [], text });

/** The response object; the request's settings echoed as OpenAI echoes them. */
export function response(
  meta: ResponseMeta,
  body: Record<string, unknown>,
  status: 'in_progress' | 'completed' | 'incomplete',
  output: Item[],
  u: ResponseUsage | null,
) {
  const text = (body.text as Record<string, unknown> | undefined) ?? {};
  const reasoning = (body.reasoning as Record<string, unknown> | undefined) ?? {};
  return {
    id: meta.id,
    object: 'response',
    created_at: meta.createdAt,
    status,
    background: false,
    completed_at: status === 'completed' ? Math.floor(Date.now() / 1000) : null,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: null,
    model: meta.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    safety_identifier: body.safety_identifier ?? null,
    service_tier: 'default',
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: text.format ?? { type: 'text' }, verbosity: text.verbosity ?? 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_logprobs: 0,
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: u,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
  };
}

/** One SSE event as OpenAI frames it: the event line, then the data with its type and sequence number first. */
export function event(type: string, sequence: number, payload: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence, ...payload })}\n\n`;
}
