/**
 * Redis keys of one target. All share the hash tag `{tgt:<id>}` so every per-target script
 * touches one Redis Cluster slot, and different targets spread over the cluster.
 */
import { checkTargetId } from './target-id';

export interface TargetKeys {
  /** HASH {until, cd, seq}: breaker open-until (ms), current cooldown (ms), failure sequence. */
  breaker: string;
  /** ZSET: failure events scored by time (ms), the breaker's sliding window. */
  failures: string;
  /** STRING: holder of the half-open probe lease (SET NX PX). */
  probe: string;
  /** HASH {ttft, tok, at}: EWMA of time to first token and per-token time (µs), last update (ms). */
  latency: string;
  /** ZSET: request id → lease expiry (ms), requests in flight. */
  inFlight: string;
  /** HASH ring of 60 one-second buckets {s<i>, r<i>, t<i>}: second stamp, requests, tokens. */
  usage: string;
}

export function targetKeys(id: string): TargetKeys {
  const p = `aigw:{tgt:${checkTargetId(id)}}:`;
  return { breaker: `${p}brk`, failures: `${p}fails`, probe: `${p}probe`, latency: `${p}lat`, inFlight: `${p}inflight`, usage: `${p}use` };
}

/** The shared weighted-round-robin counter of a model group (its own slot). */
export function wrrCounterKey(group: string): string {
  if (typeof group !== 'string' || group.length === 0 || group.length > 200 || /[{}\s]/.test(group)) {
    throw new Error(`invalid group name ${JSON.stringify(group)}`);
  }
  return `aigw:{grp:${group}}:wrr`;
}
