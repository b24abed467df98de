/**
 * /v1/responses clients on targets that serve OpenAI's Responses API themselves (lib/providers.ts
 * `responses`): the request passes through with the target's model and the relay's key (and, for
 * a continuation, the kept context in its input instead of previous_response_id); usage is read
 * from the answer, or from the stream's response.completed event.
 */
import type { PlanTarget } from '../../../../lib/plan';
import type { UpstreamRequest } from '../../upstream';
import type { TokenUsage } from '../../usage';
import { openAIUrl } from './passthrough';

/** The upstream request: the (continued) body with the target's model, every other field as the client sent it. */
export function buildResponsesRequest(
  endpoint: 'responses' | 'responses.input_tokens',
  target: PlanTarget,
  body: Record<string, unknown>,
  apiKey: string | null,
): UpstreamRequest {
  const stream = endpoint === 'responses' && body.stream === true;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  return { url: openAIUrl(endpoint, target), headers, body: JSON.stringify({ ...body, model: target.model }) };
}

interface ResponsesUsageObject {
  input_tokens?: number;
  input_tokens_details?: { cached_tokens?: number } | null;
  output_tokens?: number;
  output_tokens_details?: { reasoning_tokens?: number } | null;
  total_tokens?: number;
}

/** A response object's usage (ResponseUsage) as the gateway counts tokens; null when it has none. */
export function responsesUsage(response: unknown): TokenUsage | null {
  const usage = (response as { usage?: unknown } | null)?.usage;
  if (typeof usage !== 'object' || usage === null) return null;
  const u = usage as ResponsesUsageObject;
  const prompt = u.input_tokens ?? 0;
  const completion = u.output_tokens ?? 0;
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: u.total_tokens ?? prompt + completion,
    cachedTokens: u.input_tokens_details?.cached_tokens ?? 0,
    reasoningTokens: u.output_tokens_details?.reasoning_tokens ?? 0,
  };
}

/** What a response generated (text, refusals, reasoning summaries, function names and arguments), for counting when usage is missing. */
export function responsesOutputText(response: unknown): string {
  const output = (response as { output?: unknown } | null)?.output;
  if (!Array.isArray(output)) return '';
  let text = '';
  for (const item of output as Array<Record<string, unknown>>) {
    if (item?.type === 'function_call') text += String(item.name ?? '') + String(item.arguments ?? '');
    for (const part of [...asArray(item?.content), ...asArray(item?.summary)]) text += String(part?.text ?? part?.refusal ?? '');
  }
  return text;
}

/** A response object naming the response it continued (the gateway's previous_response_id, which the provider never saw). */
export function continuing(response: unknown, previousResponseId: string): unknown {
  return typeof response === 'object' && response !== null ? { ...response, previous_response_id: previousResponseId } : response;
}

function asArray(value: unknown): Array<Record<string, unknown>> {
  return Array.isArray(value) ? (value as Array<Record<string, unknown>>) : [];
}
