/**
 * Canonical chat request → Azure OpenAI: OpenAI's body at the deployment's URL (deployment +
 * api-version), the key in `api-key`, and the gateway's canonical extras Azure would reject left out.
 */
import type { ChatRequest } from '../../../../lib/openai-types';
import type { PlanTarget } from '../../../../lib/plan';
import { isObject } from '../../../../lib/validate';
import type { UpstreamHttpRequest } from '../types';

/**
 * The newest GA data-plane api-version when this was written; a base_url can pin another with
 * `?api-version=...`. It supports stream_options.include_usage, tools and json_schema.
 */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

export interface AzureUpstreamRequest extends UpstreamHttpRequest {
  /** What the canonical request carried that Azure cannot take (e.g. 'cache_control'). */
  dropped: string[];
}

/**
 * https://res.openai.azure.com[/openai][?api-version=V] → …/openai/deployments/{deployment}{operation}?api-version=V.
 * A base_url ending in /openai/v1 selects Azure's v1 API, which takes the deployment as `model`
 * and needs no api-version.
 */
export function azureUrl(baseUrl: string, deployment: string, operation: '/chat/completions' | '/embeddings'): string {
  const url = new URL(baseUrl);
  const pinned = url.searchParams.get('api-version');
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/openai\/v1$/.test(path)) return `${url.origin}${path}${operation}${pinned ? `?api-version=${encodeURIComponent(pinned)}` : ''}`;
  const root = path.replace(/\/openai$/, '');
  return `${url.origin}${root}/openai/deployments/${encodeURIComponent(deployment)}${operation}?api-version=${encodeURIComponent(pinned ?? DEFAULT_AZURE_API_VERSION)}`;
}

export function azureChatUrl(baseUrl: string, deployment: string): string {
  return azureUrl(baseUrl, deployment, '/chat/completions');
}

export function without(obj: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out = { ...obj };
  for (const key of keys) delete out[key];
  return out;
}

/**
 * Gateway-only fields of the canonical format that Azure would reject as unknown. Only what has
 * the expected shape is touched; anything else goes to Azure as sent, and Azure answers a 400.
 */
function stripCanonicalExtras(request: ChatRequest, dropped: Set<string>): ChatRequest {
  if (!Array.isArray(request.messages)) return request;
  const messages = request.messages.map((message) => {
    if (!isObject(message)) return message;
    let out = message;
    if (out.reasoning_content !== undefined) {
      dropped.add('reasoning_content');
      out = without(out as unknown as Record<string, unknown>, ['reasoning_content']) as unknown as typeof out;
    }
    if (Array.isArray(out.content) && out.content.some((p) => isObject(p) && 'cache_control' in p)) {
      dropped.add('cache_control');
      out = { ...out, content: out.content.map((p) => (isObject(p) ? (without(p, ['cache_control']) as typeof p) : p)) };
    }
    if (Array.isArray(out.tool_calls) && out.tool_calls.some((c) => isObject(c) && 'extra_content' in c)) {
      // Gemini's thought signatures mean nothing to Azure.
      dropped.add('extra_content');
      out = { ...out, tool_calls: out.tool_calls.map((c) => (isObject(c) ? { id: c.id, type: c.type, function: c.function } : c)) };
    }
    return out;
  });
  let tools = request.tools;
  if (Array.isArray(tools) && tools.some((t) => isObject(t) && t.cache_control !== undefined)) {
    dropped.add('cache_control');
    tools = tools.map((t) => (isObject(t) ? (without(t as unknown as Record<string, unknown>, ['cache_control']) as unknown as typeof t) : t));
  }
  return { ...request, messages, ...(tools ? { tools } : {}) };
}

export function buildAzureRequest(target: PlanTarget, request: ChatRequest, apiKey: string | null): AzureUpstreamRequest {
  const dropped = new Set<string>();
  const stream = request.stream === true;
  // The deployment in the URL picks the model; `model` is kept (as the deployment name), as the
  // official SDKs send it, and the v1 API requires it.
  const body: ChatRequest = { ...stripCanonicalExtras(request, dropped), model: target.model };
  // Usage must be recorded for every stream; the relay hides the chunk if the client did not ask.
  if (stream) body.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json' };
  if (apiKey) headers['api-key'] = apiKey;
  return { url: azureChatUrl(target.baseUrl, target.model), headers, body: JSON.stringify(body), dropped: [...dropped].sort() };
}
