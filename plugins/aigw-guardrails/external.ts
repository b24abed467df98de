/**
 * The external guard: an HTTP service with Lakera Guard's v2 shape (`POST /v2/guard` with
 * `{messages: [{role, content}]}`, answering `{flagged: boolean, ...}`), called under a deadline.
 * Its verdict, or why there is none: the handler applies the route's action and on_error choice.
 */
import type { GuardrailsConfig } from './config';

export type ExternalVerdict = { ok: true; flagged: boolean } | { ok: false; reason: 'timeout' | 'unreachable' | 'status' | 'malformed' };

/** Longest answer read from the guard: its verdict is small. */
const MAX_ANSWER_BYTES = 256 * 1024;

export type ExternalConfig = NonNullable<GuardrailsConfig['external']>;

export interface ExternalGuard {
  check(messages: ReadonlyArray<{ role: string; content: string }>): Promise<ExternalVerdict>;
}

export function httpExternalGuard(config: ExternalConfig, env: NodeJS.ProcessEnv = process.env): ExternalGuard {
  const key = config.api_key_env ? env[config.api_key_env] : undefined;
  const header = config.api_key_header.toLowerCase();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key) headers[header] = header === 'authorization' ? `Bearer ${key}` : key;
  return {
    async check(messages) {
      let response: Response;
      try {
        response = await fetch(config.url, {
          method: 'POST',
          headers,
          body: JSON.stringify({ messages }),
          signal: AbortSignal.timeout(config.timeout_ms),
        });
      } catch (error) {
        return { ok: false, reason: (error as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable' };
      }
      try {
        if (response.status < 200 || response.status >= 300) {
          await response.body?.cancel();
          return { ok: false, reason: 'status' };
        }
        const text = await response.text();
        if (text.length > MAX_ANSWER_BYTES) return { ok: false, reason: 'malformed' };
        const parsed = JSON.parse(text) as { flagged?: unknown };
        return typeof parsed?.flagged === 'boolean' ? { ok: true, flagged: parsed.flagged } : { ok: false, reason: 'malformed' };
      } catch (error) {
        return { ok: false, reason: (error as Error).name === 'TimeoutError' ? 'timeout' : 'malformed' };
      }
    },
  };
}
