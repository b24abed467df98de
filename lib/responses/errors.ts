import { type GatewayError, gatewayError } from '../errors';

/** OpenAI's answer to an id it does not have; also when keeping is off, the id expired or is another tenant's. */
export function previousResponseNotFound(responseId: string): GatewayError {
  return gatewayError(400, `Previous response with id '${responseId}' not found.`, 'previous_response_not_found', 'previous_response_id');
}
