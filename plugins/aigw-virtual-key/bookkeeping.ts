/**
 * What the key plugin finishes after the response (its log phase), from the identity it handed
 * on: the parallel slot is released, and a budget reservation the relay never settled (the call
 * never reached it) is refunded. One plugin does both, so a request costs one log-phase read of
 * kong.ctx.shared instead of one per plugin. Both are idempotent and retried in the background.
 */
import type Redis from 'ioredis';
import type { RequestIdentity } from '../../lib/identity';
import { BudgetLimiter, type Eventually, eventually, ParallelLimiter } from '../../lib/limits';

/**
 * How long a refund is retried while Redis cannot answer. A reservation outlives its plan's
 * attempts (aigw-proxy: the targets' total timeouts + 60 s) and is refunded by itself when it
 * expires, so a longer outage only delays that.
 */
export const REFUND_RETRY_MS = 15 * 60_000;

export function finishRequest(redis: Redis, identity: RequestIdentity, now: number, later: Eventually = eventually): void {
  const { requestId } = identity;
  if (!requestId) return;
  if (identity.parallelLeaseMs !== null) {
    const leases = new ParallelLimiter(redis);
    const subject = { kind: 'key' as const, id: identity.keyId };
    // Retried until Redis answers or the lease has expired by itself.
    later.run(`release parallel lease ${requestId}`, () => leases.release(requestId, subject), now + identity.parallelLeaseMs);
  }
  if (identity.budgets.length > 0) {
    // A no-op once the relay settled; marks the request finished when aigw-proxy never reserved.
    const budgets = new BudgetLimiter(redis);
    later.run(`refund reservation ${requestId}`, () => budgets.refund({ requestId, subjects: identity.budgets }), now + REFUND_RETRY_MS);
  }
}
