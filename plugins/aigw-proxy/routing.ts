/**
 * Orders a model group's targets for one request: priority tiers, the group's balancing
 * algorithm within a tier, breaker-open targets last (never dropped), then the fallback models'
 * targets. Shared stats come from Redis in one round trip; without Redis (or when it fails: an
 * optimisation fails open) the order is static: tiers, weighted at random.
 */
import type Redis from 'ioredis';
import type { PlanTarget } from '../../lib/plan';
import { worstCaseNano } from '../../lib/pricing';
import { orderTargets, snapshotNeeds, TargetStats, targetId } from '../../lib/routing';
import { type CompiledModels, MAX_PLAN_TARGETS, type ModelGroup, planTargets, toPlanTarget } from './config';

/** A half-open target's probe lease outlives one attempt chain. */
const PROBE_LEASE_MS = 60_000;

export interface RouteInput {
  requestId: string;
  /** The session header's value, for consistent hashing. */
  hashKey: string | null;
  promptTokens: number;
  maxOutputTokens: number | null;
  /**
   * false: take no half-open target's probe lease, for a request whose attempts never report back
   * to the target stats (a token count): a lease nobody frees would keep the target's probe
   * waiting. Half-open targets then go last, as open ones do.
   */
  probe?: boolean;
}

export interface Route {
  targets: PlanTarget[];
  routing: { algorithm: string; reason: string };
}

export async function routeTargets(models: CompiledModels, group: ModelGroup, redis: Redis | null, input: RouteInput): Promise<Route> {
  const fallbackTargets = group.fallbacks.flatMap((name) => planTargets(models, name));
  if (!redis) {
    return {
      targets: planTargets(models, group.name),
      routing: { algorithm: 'priority', reason: 'static order: tiers, weighted at random (no Redis for shared stats)' },
    };
  }
  // One target has no order to choose: the shared stats (a Redis round trip, and a probe lease
  // that changes nothing when there is no other target to try first) are not read.
  if (group.targets.length === 1) {
    return withFallbacks([toPlanTarget(group.targets[0])], fallbackTargets, { algorithm: group.algorithm, reason: 'one target: nothing to order' });
  }
  const ids = group.targets.map((t) => t.id);
  const needs = {
    ...snapshotNeeds(group.algorithm),
    probe: input.probe === false ? undefined : { holder: input.requestId, leaseMs: PROBE_LEASE_MS },
    wrrGroup: group.algorithm === 'weighted-round-robin' ? group.name : undefined,
  };
  const snapshot = await new TargetStats(redis).snapshot(ids, Date.now(), needs);
  const probeGranted = new Set([...snapshot.targets].filter(([, s]) => s.probeGranted).map(([id]) => id));
  const balanceTargets = group.targets.map((t) => ({
    id: t.id,
    weight: t.weight,
    priority: t.priority,
    rpmLimit: t.rpmLimit,
    tpmLimit: t.tpmLimit,
    pricePerRequestNano: t.pricing ? worstCaseNano(input.promptTokens, input.maxOutputTokens ?? t.pricing.max_output_tokens ?? 4096, t.pricing) : null,
  }));
  const { order, decision } = orderTargets({ targets: balanceTargets }, group.algorithm, {
    snapshot: snapshot.targets,
    counter: snapshot.counter,
    hashKey: input.hashKey,
    random: Math.random,
    estimatedTokens: input.promptTokens + (input.maxOutputTokens ?? 0),
    probeGranted,
  });
  const byId = new Map(group.targets.map((t) => [t.id, t]));
  return withFallbacks(
    order.map((id) => toPlanTarget(byId.get(id)!)),
    fallbackTargets,
    { algorithm: decision.algorithm, reason: decision.reason },
  );
}

/** The group's own targets in order, then its fallbacks' (each target once), at most MAX_PLAN_TARGETS. */
function withFallbacks(ordered: PlanTarget[], fallbackTargets: PlanTarget[], routing: Route['routing']): Route {
  const seen = new Set(ordered.map(targetId));
  for (const t of fallbackTargets) {
    const key = targetId(t);
    if (!seen.has(key)) {
      seen.add(key);
      ordered.push(t);
    }
  }
  return { targets: ordered.slice(0, MAX_PLAN_TARGETS), routing };
}
