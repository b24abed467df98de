/**
 * Google GenAI clients on Gemini targets: the client's GenerateContentRequest goes as it is —
 * the model is in the URL, so the body needs no change — and the answer, JSON or
 * `alt=sse` stream, comes back byte for byte. Thought signatures, Google's own tools (Search,
 * code execution), cached content, file URIs, safety settings and fields the gateway does not
 * know yet reach Gemini untouched. The relay reads the answer alongside with this folder's
 * translators (usage, cost, failover), never rewriting it.
 */
import type { PlanTarget } from '../../../../lib/plan';
import type { UpstreamRequest } from '../../upstream';
import type { NativeAdapter } from '../types';
import { generateContentUrl, modelPath } from './request';

function nativeRequest(
  target: PlanTarget,
  rawBody: Buffer,
  clientBody: Record<string, unknown>,
  _clientHeaders: Readonly<Record<string, string>>,
  apiKey: string | null,
  stream: boolean,
): UpstreamRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
  // The key goes in a header, never the URL, so it cannot leak into access logs.
  if (apiKey) headers['x-goog-api-key'] = apiKey;
  // The SDKs never name the model in the body; a client that does gets the target's there too.
  const body = clientBody.model === undefined ? rawBody : JSON.stringify({ ...clientBody, model: modelPath(target.model) });
  return { url: generateContentUrl(target, stream), headers, body };
}

/** No client header reaches Gemini: its API reads none a client would set (x-goog-api-client is SDK telemetry). */
export const geminiNative: NativeAdapter = { clientFormat: 'google', forwardedHeaders: [], request: nativeRequest };
