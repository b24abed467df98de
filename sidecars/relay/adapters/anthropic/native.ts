/**
 * /v1/messages clients on Anthropic targets: the client's request goes as it is (only the model,
 * the credential and the gateway's headers change), so whatever Anthropic adds — thinking
 * signatures, structured outputs, beta features, server tools, new block types — reaches the
 * provider and comes back untouched. The relay reads the answer alongside with this folder's
 * translators (usage, cost, cache fill, failover), never rewriting it.
 */
import type { PlanTarget } from '../../../../lib/plan';
import type { UpstreamRequest } from '../../upstream';
import type { NativeAdapter } from '../types';
import { ANTHROPIC_VERSION, messagesUrl } from './request';

/** Client headers Anthropic reads that the relay forwards (the client's credentials never are). */
const FORWARDED = ['anthropic-version', 'anthropic-beta'] as const;

function nativeRequest(
  target: PlanTarget,
  rawBody: Buffer,
  clientBody: Record<string, unknown>,
  clientHeaders: Readonly<Record<string, string>>,
  apiKey: string | null,
): UpstreamRequest {
  // The bytes the client sent unless the model name must change (an alias or a fallback model).
  const body = clientBody.model === target.model ? rawBody : JSON.stringify({ ...clientBody, model: target.model });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'anthropic-version': clientHeaders['anthropic-version'] ?? ANTHROPIC_VERSION,
    accept: clientBody.stream === true ? 'text/event-stream' : 'application/json',
  };
  if (clientHeaders['anthropic-beta']) headers['anthropic-beta'] = clientHeaders['anthropic-beta'];
  if (apiKey) headers['x-api-key'] = apiKey;
  return { url: messagesUrl(target.baseUrl), headers, body };
}

/** message_delta carries the final usage: the one event the relay changes, to add what the answer cost. */
const costEvent: NonNullable<NativeAdapter['costEvent']> = {
  carriesUsage: (event) => event.event === 'message_delta' || /^\{"type":"message_delta"/.test(event.data ?? ''),
  withCost(event, costUsd) {
    const data = JSON.parse(event.data ?? '{}') as { usage?: Record<string, unknown> };
    if (!data.usage) return event.raw;
    data.usage.cost = costUsd;
    return `event: message_delta\ndata: ${JSON.stringify(data)}\n\n`;
  },
};

export const anthropicNative: NativeAdapter = { clientFormat: 'anthropic', forwardedHeaders: FORWARDED, request: nativeRequest, costEvent };
