import { backoffMs, decide, type FailureKind, parseRetryAfter, DEFAULT_RETRY_POLICY as policy } from '../../../sidecars/relay/retry-policy';

describe('retry and failover decisions', () => {
  it.each<[FailureKind]>([['unreachable'], ['timeout'], ['rate_limit'], ['server'], ['stream_cut']])('retries %s, then fails over', (kind) => {
    expect(decide(kind, 0, policy, undefined, () => 1)).toEqual({ action: 'retry', delayMs: 200 });
    expect(decide(kind, 1, policy, undefined, () => 1)).toEqual({ action: 'retry', delayMs: 400 });
    expect(decide(kind, policy.maxRetries, policy)).toEqual({ action: 'failover' });
  });

  it('never retries or fails over a caller error', () => {
    expect(decide('caller', 0, policy)).toEqual({ action: 'fail' });
  });

  it('fails over at once when the target itself is unusable', () => {
    expect(decide('auth', 0, policy)).toEqual({ action: 'failover' });
    expect(decide('config', 0, policy)).toEqual({ action: 'failover' });
  });

  it('makes context-window and content-policy failover configurable', () => {
    expect(decide('context_window', 0, policy)).toEqual({ action: 'failover' });
    expect(decide('context_window', 0, { ...policy, failoverOnContextWindow: false })).toEqual({ action: 'fail' });
    expect(decide('content_policy', 0, policy)).toEqual({ action: 'fail' });
    expect(decide('content_policy', 0, { ...policy, failoverOnContentPolicy: true })).toEqual({ action: 'failover' });
  });

  it('honours Retry-After, and fails over rather than wait too long', () => {
    expect(decide('rate_limit', 0, policy, 1500)).toEqual({ action: 'retry', delayMs: 1500 });
    expect(decide('rate_limit', 0, policy, 60_000)).toEqual({ action: 'failover' });
  });

  it('spreads backoff between half and all of the capped exponential step', () => {
    expect(backoffMs(0, policy, () => 0)).toBe(100);
    expect(backoffMs(10, policy, () => 1)).toBe(policy.maxDelayMs);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
