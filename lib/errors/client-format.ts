/**
 * Which API a client speaks, from the path it called, and its error shape. The shape follows the
 * endpoint, never a header: Anthropic's Messages API lives under /v1/messages, Google's GenAI API
 * under /v1beta, OpenAI's shape serves everything else (the control API included).
 */
import { type AnthropicErrorBody, anthropicErrorType } from '../anthropic-error';
import { type GoogleErrorBody, googleError } from '../google-error';
import { isGooglePath } from '../google-paths';
import { type OpenAIErrorBody, openAIError } from '../openai-error';
import type { GatewayError } from './gateway-error';

export type ClientFormatName = 'openai' | 'anthropic' | 'google';

export function clientFormatOf(path: string): ClientFormatName {
  if (path === '/v1/messages' || path.startsWith('/v1/messages/')) return 'anthropic';
  return isGooglePath(path) ? 'google' : 'openai';
}

/** The error as the client's SDK parses it; Anthropic's has no code field, so it joins the message. */
export function errorBody(format: ClientFormatName, error: GatewayError): OpenAIErrorBody | AnthropicErrorBody | GoogleErrorBody {
  if (format === 'google') return googleError(error);
  if (format === 'anthropic') {
    const code = error.code ? ` (${error.code})` : '';
    return { type: 'error', error: { type: anthropicErrorType(error.status), message: error.message + code } };
  }
  return openAIError(error.status, error.message, error.code, error.param, error.type);
}
