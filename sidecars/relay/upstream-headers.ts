/**
 * The provider's own response headers a client sees, on every answer, success or error, from
 * every provider: its rate-limit headers and request id, renamed x-upstream-<name>. The gateway's
 * x-ratelimit-* describe the caller's key and team, so the provider's must not take their names.
 */
const PASSED_ON = /^(x-ratelimit-|anthropic-ratelimit-)|^request-id$/;

export function upstreamHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value !== undefined && PASSED_ON.test(lower)) out[`x-upstream-${lower}`] = value;
  }
  return out;
}
