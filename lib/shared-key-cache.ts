/**
 * The key cache every node shares: key records cached in Redis under KEY_CACHE_PREFIX, and the
 * pub/sub channel on which the control API tells every node which entries to drop.
 */
export const INVALIDATE_CHANNEL = 'aigw:invalidate';
export const KEY_CACHE_PREFIX = 'aigw:key:';

/**
 * `all`: every cached key and team (and template) may be stale (the control API lost track of
 * which). `template`: a prompt template changed (a version, a label), for aigw-prompt-template's
 * cache; key caches ignore it.
 */
export type InvalidationMessage =
  | { type: 'key'; id: string; hash: string }
  | { type: 'team'; id: string }
  | { type: 'template'; name: string }
  | { type: 'all' };
