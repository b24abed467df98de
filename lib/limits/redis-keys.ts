/**
 * Redis key names for limits. Everything starts with "aigw:" and carries a hash tag so that
 * every key one script touches lives in the same Redis Cluster slot:
 *
 *   scope = "t:<teamId>" when the request has a team subject, else "k:<keyId>"
 *
 * A team's keys share the team's tag, so "reserve against key AND team in one script" works on
 * Cluster, and different teams spread over the cluster's slots. The price: a key's counters are
 * named after its team, so moving a key to another team starts its counters cold (rebuilt from
 * the ledger through needsInit), and readers (status) must know the team.
 */

export const KEY_PREFIX = 'aigw:';

export interface ScopedSubject {
  kind: 'key' | 'team';
  id: string;
}

/** Ids go inside key names and hash tags: forbid the characters that would break either. */
export function checkId(id: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200 || /[{}\s:]/.test(id)) {
    throw new Error(`invalid subject id ${JSON.stringify(id)}: 1-200 characters, no braces, colons or whitespace`);
  }
  return id;
}

/**
 * The hash-tag scope of a request's subjects: its team if it has one, else its (first) key.
 * @throws when the subjects name two different teams (they could not share a slot).
 */
export function scopeOf(subjects: readonly ScopedSubject[]): string {
  const teams = new Set(subjects.filter((s) => s.kind === 'team').map((s) => checkId(s.id)));
  if (teams.size > 1) throw new Error('a request can have at most one team subject');
  if (teams.size === 1) return `t:${[...teams][0]}`;
  const key = subjects.find((s) => s.kind === 'key');
  if (!key) throw new Error('no subjects');
  return `k:${checkId(key.id)}`;
}

/** Scope for a single subject read on its own (status): its team's scope if it has a team. */
export function scopeFor(subject: ScopedSubject, teamId: string | null): string {
  if (subject.kind === 'team') return `t:${checkId(subject.id)}`;
  return teamId ? `t:${checkId(teamId)}` : `k:${checkId(subject.id)}`;
}

/** "aigw:{scope}:" — every key of one scope starts with this. */
export function scopePrefix(scope: string): string {
  return `${KEY_PREFIX}{${scope}}:`;
}

export const rateKeys = {
  /** ZSET: request id → admission time (ms). */
  requests: (scope: string, s: ScopedSubject) => `${scopePrefix(scope)}rpm:${s.kind}:${checkId(s.id)}`,
  /** HASH: bucket index → tokens recorded in that bucket. */
  tokens: (scope: string, s: ScopedSubject) => `${scopePrefix(scope)}tpm:${s.kind}:${checkId(s.id)}`,
};

/** ZSET: request id → lease expiry (ms). One key per subject, its own slot. */
export function parallelKey(s: ScopedSubject): string {
  return `${KEY_PREFIX}{par:${s.kind}:${checkId(s.id)}}:leases`;
}

/** Marker of a request whose lease was cancelled (same slot as its leases). */
export function parallelCancelKey(s: ScopedSubject, requestId: string): string {
  return `${KEY_PREFIX}{par:${s.kind}:${checkId(s.id)}}:cancelled:${checkId(requestId)}`;
}

/** Marker of a request whose rate check was cancelled (same slot as the scope's windows). */
export function rateCancelKey(scope: string, requestId: string): string {
  return `${scopePrefix(scope)}rate-cancelled:${checkId(requestId)}`;
}

export const budgetKeys = {
  /** HASH {spent, reserved} for one subject's window; its existence means "initialised". */
  counter: (scope: string, s: ScopedSubject, windowStart: number) => `${scopePrefix(scope)}budget:${s.kind}:${checkId(s.id)}:${windowStart}`,
  /** ZSET: request id → reservation expiry (ms), swept by every budget script of the scope. */
  expiries: (scope: string) => `${scopePrefix(scope)}resv-exp`,
  /** Prefix of a reservation record HASH (append the request id). */
  recordPrefix: (scope: string) => `${scopePrefix(scope)}resv:`,
  record: (scope: string, requestId: string) => `${scopePrefix(scope)}resv:${requestId}`,
};
