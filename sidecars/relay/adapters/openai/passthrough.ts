/**
 * OpenAI clients on OpenAI-format providers: the request and the stream pass byte for byte. Only
 * the model is swapped for the target's, streams always ask for the usage chunk (usage must be
 * recorded for every answer), and a usage chunk the client did not ask for is taken out again.
 */
import type { Endpoint, PlanTarget } from '../../../../lib/plan';
import { takesStreamOptions } from '../../../../lib/providers';
import type { UpstreamRequest } from '../../upstream';
import type { TokenUsage } from '../../usage';
import { chunkUsage } from './usage';

/** What the client asked for, which the relay must honour whatever it asked the provider. */
export interface ClientIntent {
  stream: boolean;
  /** The client set stream_options.include_usage itself. */
  wantsStreamUsage: boolean;
}

/** Whether the client streams, and whether it asked for the usage chunk itself. */
export function clientIntent(clientBody: Record<string, unknown>, canStream = true): ClientIntent {
  const stream = canStream && clientBody.stream === true;
  const options = clientBody.stream_options as { include_usage?: unknown } | undefined | null;
  return { stream, wantsStreamUsage: stream && options?.include_usage === true };
}

const PATHS: Record<Exclude<Endpoint, 'messages' | 'generateContent'>, string> = {
  'chat.completions': '/chat/completions',
  embeddings: '/embeddings',
};

export function openAIUrl(endpoint: Exclude<Endpoint, 'messages' | 'generateContent'>, target: PlanTarget): string {
  return target.baseUrl + PATHS[endpoint];
}

export function buildRequest(
  endpoint: Exclude<Endpoint, 'messages' | 'generateContent'>,
  target: PlanTarget,
  rawBody: Buffer,
  clientBody: Record<string, unknown>,
  apiKey: string | null,
): { request: UpstreamRequest; intent: ClientIntent } {
  const clientOptions = clientBody.stream_options as { include_usage?: unknown } | undefined | null;
  const intent = clientIntent(clientBody, endpoint === 'chat.completions');
  const stream = intent.stream;

  // Usage must be recorded for every response, so streams always ask for the usage chunk.
  const needsUsageFlag = stream && takesStreamOptions(target.provider) && !intent.wantsStreamUsage;
  const needsModelSwap = clientBody.model !== target.model;
  let body: string | Buffer = rawBody;
  if (needsModelSwap || needsUsageFlag) {
    const upstreamBody: Record<string, unknown> = { ...clientBody, model: target.model };
    if (needsUsageFlag) upstreamBody.stream_options = { ...(clientOptions ?? {}), include_usage: true };
    body = JSON.stringify(upstreamBody);
  }

  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: stream ? 'text/event-stream' : 'application/json',
  };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  return { request: { url: openAIUrl(endpoint, target), headers, body }, intent };
}

const USAGE_OBJECT = /"usage"\s*:\s*\{/;

export type ChunkAction =
  | { kind: 'pass'; usage?: TokenUsage; done?: boolean; error?: boolean }
  | { kind: 'drop'; usage?: TokenUsage }
  | { kind: 'replace'; data: string; usage?: TokenUsage };

/**
 * Decide what to do with one SSE `data:` payload. Chunks pass through byte for byte unless
 * the relay added the usage request itself: then the usage the client did not ask for is
 * taken out (but still recorded).
 */
export function processStreamData(data: string, intent: ClientIntent): ChunkAction {
  if (data.trim() === '[DONE]') return { kind: 'pass', done: true };
  // Content chunks are most of a stream: pass them without parsing. Inside JSON strings quotes
  // are escaped, so these patterns only match real keys; a false match just costs a parse.
  if (!USAGE_OBJECT.test(data) && !data.includes('"error"') && !data.includes('"x_groq"')) return { kind: 'pass' };
  let chunk: Record<string, unknown>;
  try {
    chunk = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return { kind: 'pass' };
  }
  if (chunk.error) return { kind: 'pass', error: true };
  const usage = chunkUsage(chunk);
  if (!usage) return { kind: 'pass' };
  if (intent.wantsStreamUsage) return { kind: 'pass', usage };
  const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
  if (choices.length === 0) return { kind: 'drop', usage };
  // A provider may put usage on a chunk that still carries content: keep the content.
  const { usage: _dropped, ...rest } = chunk;
  void _dropped;
  return { kind: 'replace', data: JSON.stringify(rest), usage };
}
