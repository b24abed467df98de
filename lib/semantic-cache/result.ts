/**
 * Lookups never throw: a Redis failure, a scope still loading or an index that may have missed
 * events is a typed failure, which the plugin answers as a miss (fail open).
 */
export type CacheFailureReason =
  /** Redis refused, timed out or is not connected. */
  | 'unavailable'
  /** The scope's vectors are still being loaded (the load goes on; a later lookup finds them). */
  | 'loading'
  /** The index cannot vouch for being current (its event stream is down); it rebuilds once it is back. */
  | 'unsynced'
  /** The input breaks a bound (size, shape, id characters); nothing was stored. */
  | 'refused';

export type CacheResult<T> = { ok: true; value: T } | { ok: false; reason: CacheFailureReason; detail: string };

export const ok = <T>(value: T): CacheResult<T> => ({ ok: true, value });

export const fail = (reason: CacheFailureReason, detail: string): { ok: false; reason: CacheFailureReason; detail: string } => ({ ok: false, reason, detail });

/** Runs a Redis operation, turning any rejection into an 'unavailable' failure. */
export async function attempt<T>(what: string, op: () => Promise<T>): Promise<CacheResult<T>> {
  try {
    return ok(await op());
  } catch (e) {
    return fail('unavailable', `${what}: ${(e as Error)?.message ?? String(e)}`);
  }
}
