/** The public LLM endpoints, by path: one table for aigw-proxy (which routes) and the relay (which checks the plan). */
import { googlePathOf } from './google-paths';
import type { Endpoint } from './plan';
import { type PolicyFormat, policyFormatOf } from './translation-policy';

const ENDPOINT_BY_PATH: ReadonlyMap<string, Endpoint> = new Map([
  ['/v1/chat/completions', 'chat.completions'],
  ['/v1/embeddings', 'embeddings'],
  ['/v1/messages', 'messages'],
  ['/v1/messages/count_tokens', 'messages.count_tokens'],
  ['/v1/responses', 'responses'],
  ['/v1/responses/input_tokens', 'responses.input_tokens'],
]);

/** Endpoints whose requests spend no provider tokens: no budget reservation, no tpm, no bill, no ledger row. */
const TOKEN_COUNTS: ReadonlySet<Endpoint> = new Set(['messages.count_tokens']);

/** The endpoint a path serves, or undefined for any other path. */
export function endpointOf(path: string): Endpoint | undefined {
  return ENDPOINT_BY_PATH.get(path) ?? (googlePathOf(path)?.kind === 'generate' ? 'generateContent' : undefined);
}

/** Whether the endpoint only counts tokens (answered, never billed). */
export function isTokenCount(endpoint: Endpoint): boolean {
  return TOKEN_COUNTS.has(endpoint);
}

/** Endpoints whose body is a conversation (not embeddings, not a token count): what the cache and prompt compression read. */
const CONVERSATION_ENDPOINTS: ReadonlySet<Endpoint> = new Set(['chat.completions', 'messages', 'responses', 'generateContent']);

/** The body format of a conversation endpoint (a trailing slash ignored), or undefined for any other path. */
export function conversationFormatOf(path: string): PolicyFormat | undefined {
  const endpoint = endpointOf(path.replace(/\/+$/, ''));
  return endpoint && CONVERSATION_ENDPOINTS.has(endpoint) ? policyFormatOf(endpoint) : undefined;
}
