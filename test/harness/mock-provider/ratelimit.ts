// The x-ratelimit-* headers OpenAI sends on every answer. Nothing is enforced (429s are scripted);
// the numbers only move plausibly with a rolling one-minute window so gateways can parse them.

const WINDOW_MS = 60_000;

export class RateLimitHeaders {
  private events: Array<{ at: number; tokens: number }> = [];
  constructor(
    private readonly limitRequests = 10_000,
    private readonly limitTokens = 30_000_000,
  ) {}

  /** Counts one request of `tokens` and returns the headers describing the window after it. */
  take(tokens: number, exhausted = false): Record<string, string> {
    const now = Date.now();
    this.events = this.events.filter((e) => now - e.at < WINDOW_MS);
    this.events.push({ at: now, tokens });
    const usedTokens = this.events.reduce((n, e) => n + e.tokens, 0);
    const remainingRequests = exhausted ? 0 : Math.max(0, this.limitRequests - this.events.length);
    const remainingTokens = Math.max(0, this.limitTokens - usedTokens);
    return {
      'x-ratelimit-limit-requests': String(this.limitRequests),
      'x-ratelimit-limit-tokens': String(this.limitTokens),
      'x-ratelimit-remaining-requests': String(remainingRequests),
      'x-ratelimit-remaining-tokens': String(remainingTokens),
      // Time to regain what was used, in OpenAI's duration style ("6ms", "1.2s").
      'x-ratelimit-reset-requests': formatDuration((WINDOW_MS / this.limitRequests) * (this.limitRequests - remainingRequests)),
      'x-ratelimit-reset-tokens': formatDuration((WINDOW_MS / this.limitTokens) * usedTokens),
    };
  }

  reset(): void {
    this.events = [];
  }
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.ceil(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${Number(s.toFixed(3))}s`;
  return `${Math.floor(s / 60)}m${Number((s % 60).toFixed(3))}s`;
}
