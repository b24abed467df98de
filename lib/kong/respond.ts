/** How our plugins end a request: always through `return kong.response.exit(...)`. */
import type { Kong } from './pdk';
import { anthropicError } from '../anthropic-error';
import { clientFormatOf } from '../errors';
import { JSON_CONTENT_TYPE, openAIError } from '../openai-error';

export function exitJson(kong: Kong, status: number, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  return kong.response.exit(status, JSON.stringify(body), { 'Content-Type': JSON_CONTENT_TYPE, ...headers });
}

export function exitWithError(
  kong: Kong,
  status: number,
  message: string,
  code: string | null = null,
  param: string | null = null,
  headers: Record<string, string> = {},
): Promise<void> {
  return exitJson(kong, status, openAIError(status, message, code, param), headers);
}

/** The same, in Anthropic's shape, for clients of /v1/messages. */
export function exitWithAnthropicError(kong: Kong, status: number, message: string, headers: Record<string, string> = {}): Promise<void> {
  return exitJson(kong, status, anthropicError(status, message), headers);
}

/**
 * An error in the shape of the endpoint the client called. The path is asked for only here, when
 * refusing, so an admitted request pays no extra PDK round trip; if even that fails, OpenAI's shape.
 */
export async function exitWithErrorForPath(
  kong: Kong,
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
): Promise<void> {
  const anthropic = await kong.request.getPath().then((path) => clientFormatOf(path) === 'anthropic', () => false);
  if (anthropic) return exitWithAnthropicError(kong, status, `${message} (${code})`, headers);
  return exitWithError(kong, status, message, code, null, headers);
}
