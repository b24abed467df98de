/** Target routing: shared per-target stats in Redis and the pure balancer (see each module). */
export * from './target-id';
export * from './target-stats';
export * from './balance';
export { targetKeys, wrrCounterKey } from './redis-keys';
