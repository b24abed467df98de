/**
 * Errors in Anthropic's shape for the /v1/messages ingress, so the Anthropic SDK (and Claude
 * Code) raise the error class matching the status: `{"type":"error","error":{"type","message"}}`.
 */
import { anthropicErrorType } from '../../../lib/anthropic-error';
import type { AnthropicErrorBody } from '../adapters/anthropic/wire';

export { anthropicErrorType };

export interface AnthropicIngressError {
  status: number;
  body: AnthropicErrorBody;
}

export function anthropicError(status: number, message: string, type: string = anthropicErrorType(status)): AnthropicIngressError {
  return { status, body: { type: 'error', error: { type, message } } };
}

/** A mid-stream failure as Anthropic streams it (`event: error`), after a 200 has been sent. */
export function errorEvent(message: string, type = 'api_error'): string {
  return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type, message } })}\n\n`;
}
