/** The client's request in canonical (OpenAI) form for inner calls, whatever the plan's targets speak natively. */
import type { GatewayError } from '../../../lib/errors';
import type { ChatRequest } from '../../../lib/openai-types';
import type { RelayRequest } from '../admit';

export function canonicalForStrategy(request: RelayRequest): { ok: true; request: ChatRequest } | { ok: false; refusal: GatewayError } {
  if (request.canonical) return { ok: true, request: request.canonical };
  const converted = request.format.toCanonical(request.clientBody);
  return converted.ok ? { ok: true, request: converted.request } : converted;
}
