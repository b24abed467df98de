/**
 * Where clients put their key: Kong's `apikey` header, `Authorization: Bearer` (OpenAI SDKs),
 * `x-api-key` (Anthropic's SDK) and `x-goog-api-key` (Google's GenAI SDK). The first one present
 * wins, in that order. Never the URL: Google's `?key=` form is refused (urlKeyRefusal).
 */
import type { MultiMap } from '../../lib/kong/pdk';

export function extractCredential(headers: MultiMap): string | null {
  const first = (name: string): string | undefined => headers[name]?.[0];
  const apikey = first('apikey')?.trim();
  if (apikey) return apikey;
  const authorization = first('authorization')?.trim();
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match) return match[1];
  }
  return first('x-api-key')?.trim() || first('x-goog-api-key')?.trim() || null;
}

/**
 * Whether a query string carries a `key` parameter (Google's URL form of an API key). It is
 * refused, never read: nginx writes the request line, query included, to Kong's access log
 * (`"$request"` in kong_log_format) and its error log, and Kong's logging plugins serialise the
 * query; a key in a URL ends up in logs the gateway does not control.
 */
export function hasUrlKey(rawQuery: string): boolean {
  return /(?:^|&)key(?:=|&|$)/.test(rawQuery);
}
