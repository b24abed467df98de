/** Rate limits, parallel leases and budget reservations in Redis (see each module). */

export * from './budget';
export * from './eventually';
export * from './headers';
export * from './parallel';
export * from './rate';
export { KEY_PREFIX, scopeFor, scopeOf } from './redis-keys';
export type { ScriptClient } from './script';
export * from './windows';
