/**
 * Where clients put their key: Kong's `apikey` header, `Authorization: Bearer` (OpenAI SDKs) and
 * `x-api-key` (Anthropic's SDK). The first one present wins, in that order.
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
  const xApiKey = first('x-api-key')?.trim();
  return xApiKey || null;
}
