/** Target routing: shared per-target stats in Redis and the pure balancer (see each module). */

export * from './balance';
export { targetKeys, wrrCounterKey } from './redis-keys';
export * from './target-id';
export * from './target-stats';
