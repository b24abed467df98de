/**
 * A token count's request in canonical form: the Messages request it counts, translated as
 * /v1/messages translates it, so each target counts exactly what the gateway would send it for
 * that prompt. Only the fields a count reads go in (lib/validate checked those for it).
 */
import type { ChatRequest } from '../../../lib/openai-types';
import { pickFields } from '../adapters/types';
import { anthropicRequestToChat } from '../client-formats/anthropic/request';
import type { CanonicalRequest } from '../client-formats/client-format';

/** MessageCountTokensParams fields that shape the prompt (@anthropic-ai/sdk). */
const PROMPT_FIELDS = ['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking'];

/** A placeholder for the Messages translation, which requires max_tokens; no count request carries it. */
const NO_OUTPUT = 1;

export function countedRequest(body: Record<string, unknown>): CanonicalRequest {
  const converted = anthropicRequestToChat({ ...pickFields(body, PROMPT_FIELDS), max_tokens: NO_OUTPUT });
  if (!converted.ok) return converted;
  const request: ChatRequest = { ...converted.request, max_completion_tokens: null };
  return { ok: true, request };
}
