/**
 * The key's parallel-request slot a relayed request holds. aigw-virtual-key takes it in Kong's
 * access phase with a short lease; the relay, which knows when the answer really ends, renews it
 * while the request lives and frees it at once when it ends, so neither a long stream losing its
 * slot nor a node that died holding one depends on Kong's log phase.
 */
import type Redis from 'ioredis';
import { eventually, ParallelLimiter } from '../../lib/limits';
import type { Logger } from '../../lib/log';
import type { RoutePlan } from '../../lib/plan';

export interface HeldSlot {
  release(): void;
}

const NONE: HeldSlot = { release() {} };

export class ParallelSlots {
  private readonly leases: ParallelLimiter | null;

  constructor(
    redis: Redis | null,
    private readonly log: Logger,
  ) {
    this.leases = redis ? new ParallelLimiter(redis) : null;
  }

  hold(plan: RoutePlan): HeldSlot {
    const leaseMs = plan.billing?.parallelLeaseMs;
    const leases = this.leases;
    if (!leases || !plan.billing || !leaseMs) return NONE;
    const subject = { kind: 'key' as const, id: plan.billing.keyId };
    const requestId = plan.requestId;
    // Three renewals per lease: one lost to a Redis hiccup still leaves the slot held.
    const renew = setInterval(
      () => {
        leases.extend(requestId, subject, leaseMs).catch((error: unknown) => {
          this.log.warn('parallel slot renewal failed', { requestId, error: (error as Error).message });
        });
      },
      Math.max(1000, Math.floor(leaseMs / 3)),
    );
    renew.unref();
    return {
      release() {
        clearInterval(renew);
        eventually.run(`release parallel lease ${requestId}`, () => leases.release(requestId, subject), Date.now() + leaseMs);
      },
    };
  }
}
