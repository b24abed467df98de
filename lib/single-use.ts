/**
 * Single-use tokens within their validity: a signed envelope (a route plan at the relay, an admin
 * identity at the control API) is accepted once, never replayed while it could still verify.
 * Entries are dropped once their envelope has expired, so memory follows traffic × TTL. When the
 * table is full of live entries it refuses (fails closed) instead of forgetting one: forgetting
 * would re-open a replay.
 */
export class SingleUse {
  /** Id → expiry (epoch ms); Map keeps insertion order, which approximates expiry order. */
  private readonly claimed = new Map<string, number>();

  constructor(private readonly maxEntries = 1_000_000) {}

  get size(): number {
    return this.claimed.size;
  }

  /**
   * Claims `id` until `expiresAt`. True the first time; false if it was claimed before and has not
   * expired, or if the table is full of live claims.
   */
  claim(id: string, expiresAt: number, now: number = Date.now()): boolean {
    this.sweep(now);
    const held = this.claimed.get(id);
    if (held !== undefined && held > now) return false;
    if (this.claimed.size >= this.maxEntries) return false;
    this.claimed.set(id, expiresAt);
    return true;
  }

  /** Drops expired claims from the front; a later-expiring entry stops the sweep (bounded work per call). */
  private sweep(now: number): void {
    let budget = 64;
    for (const [id, expiresAt] of this.claimed) {
      if (expiresAt > now || budget-- === 0) break;
      this.claimed.delete(id);
    }
  }
}
