/**
 * Request validation for aigw-proxy: bad input is refused here, before any token is spent, with a
 * 400 that names the field as the client's API does. The rules are lib/validate's, shared with
 * the relay, so the plugin and the relay can never disagree about what is valid.
 */
import type { Endpoint } from '../../lib/plan';
import { type Validation, validateClientRequest } from '../../lib/validate';

export type { InvalidRequest, Validation, ValidRequest } from '../../lib/validate';
export { MAX_MODEL_LENGTH, parseJsonBody, validateChatCompletion, validateEmbeddings, validateMessages } from '../../lib/validate';

export function validateFor(endpoint: Endpoint, body: Record<string, unknown>): Validation {
  return validateClientRequest(endpoint, body);
}
