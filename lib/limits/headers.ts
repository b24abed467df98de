/**
 * OpenAI's rate-limit headers built from a RateDecision, with OpenAI's names and value formats
 * (reset durations in Go's time.Duration style: "120ms", "1s", "1.5s", "6m0s", "1h0m0s").
 */
import type { RateDecision } from './rate';

export const RATE_LIMIT_HEADERS = {
  limitRequests: 'x-ratelimit-limit-requests',
  remainingRequests: 'x-ratelimit-remaining-requests',
  resetRequests: 'x-ratelimit-reset-requests',
  limitTokens: 'x-ratelimit-limit-tokens',
  remainingTokens: 'x-ratelimit-remaining-tokens',
  resetTokens: 'x-ratelimit-reset-tokens',
  retryAfter: 'retry-after',
} as const;

/** Milliseconds as OpenAI shows a reset time: "0s", "120ms", "1s", "1.5s", "6m0s", "1h2m3.25s". */
export function formatResetDuration(ms: number): string {
  const total = Math.ceil(Math.max(0, ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const h = Math.floor(total / 3_600_000);
  const m = Math.floor((total % 3_600_000) / 60_000);
  const secMs = total % 60_000;
  const sec = `${Math.floor(secMs / 1000)}${
    secMs % 1000
      ? '.' +
        String(secMs % 1000)
          .padStart(3, '0')
          .replace(/0+$/, '')
      : ''
  }s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}

/** Retry-After in whole seconds, rounded up and at least 1 (a client retrying at 0 would just be refused again). */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * The six x-ratelimit-* headers for every response (the requests pair only when some subject has
 * an rpm limit, the tokens pair only when some has a tpm limit; nothing to report otherwise), plus
 * Retry-After when the request was refused and waiting can help.
 */
export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  const h: Record<string, string> = {};
  if (d.requests) {
    h[RATE_LIMIT_HEADERS.limitRequests] = String(d.requests.limit);
    h[RATE_LIMIT_HEADERS.remainingRequests] = String(d.requests.remaining);
    h[RATE_LIMIT_HEADERS.resetRequests] = formatResetDuration(d.requests.resetMs);
  }
  if (d.tokens) {
    h[RATE_LIMIT_HEADERS.limitTokens] = String(d.tokens.limit);
    h[RATE_LIMIT_HEADERS.remainingTokens] = String(d.tokens.remaining);
    h[RATE_LIMIT_HEADERS.resetTokens] = formatResetDuration(d.tokens.resetMs);
  }
  if (!d.allowed && d.retryAfterMs !== null) h[RATE_LIMIT_HEADERS.retryAfter] = String(retryAfterSeconds(d.retryAfterMs));
  return h;
}
