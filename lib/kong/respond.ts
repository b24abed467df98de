/**
 * How our plugins end a request: always through `return kong.response.exit(...)`. Refusals are
 * GatewayError values (lib/errors), answered by exitWith in the shape of the client's API.
 */

import { type ClientFormatName, errorBody, type GatewayError } from '../errors';
import { JSON_CONTENT_TYPE } from '../openai-error';
import type { Kong } from './pdk';

export function exitJson(kong: Kong, status: number, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  return kong.response.exit(status, JSON.stringify(body), { 'Content-Type': JSON_CONTENT_TYPE, ...headers });
}

/** The one way a plugin answers an error: the error in the client's format, with its headers. */
export function exitWith(kong: Kong, format: ClientFormatName, error: GatewayError): Promise<void> {
  return exitJson(kong, error.status, errorBody(format, error), error.headers);
}

/**
 * The request's path, for a plugin that has not read it: read only when refusing, so an admitted
 * request pays no round trip for it. If even that read fails, "" (OpenAI's shape, route "other").
 */
export function requestPath(kong: Kong): Promise<string> {
  return kong.request.getPath().then(
    (path) => path,
    () => '',
  );
}
