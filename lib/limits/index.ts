/** Rate limits, parallel leases and budget reservations in Redis (see each module). */
export * from './windows';
export * from './rate';
export * from './parallel';
export * from './budget';
export * from './headers';
export * from './eventually';
export { scopeOf, scopeFor, KEY_PREFIX } from './redis-keys';
export type { ScriptClient } from './script';
