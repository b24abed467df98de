/**
 * Redis key names of the semantic cache (layout in README.md). Two hash tags:
 *
 *   {sc:<scopeId>}  everything of one scope: its entries, exact-match keys, entry set, hit counters.
 *                   A put, an eviction or a lookup touches one slot; scopes spread over the cluster.
 *   {cache}         the cross-scope bookkeeping: every entry, per team, per model, the registries
 *                   stats read, hit counters per team and model, and the event stream, so that the
 *                   bookkeeping of one put is one script.
 */

const PREFIX = 'aigw:';

/** Ids go inside key names, hash tags and stream fields: no braces, whitespace, slashes or colons. */
const ID = /^[A-Za-z0-9._-]{1,128}$/;

export const isCacheId = (id: unknown): id is string => typeof id === 'string' && ID.test(id);

export function checkCacheId(what: string, id: unknown): string {
  if (!isCacheId(id)) throw new Error(`invalid ${what}: 1-128 characters of [A-Za-z0-9._-]`);
  return id;
}

/** Model names are free text: keys carry them hex-encoded; the registries hold them as they are. */
const modelTag = (model: string): string => Buffer.from(model, 'utf8').toString('hex');

const scopeTag = (scopeId: string): string => `${PREFIX}{sc:${scopeId}}:`;
const GLOBAL = `${PREFIX}{cache}:`;

export const scopeKeys = {
  /** HASH meta (entry JSON without the answer, vector base64), answer (JSON), x exactHash, t teamId, m model. TTL = the entry's. */
  entry: (scopeId: string, entryId: string) => `${scopeTag(scopeId)}e:${entryId}`,
  /** Prefix of entry keys (scripts build the keys of entries they evict from it). */
  entryPrefix: (scopeId: string) => `${scopeTag(scopeId)}e:`,
  /** STRING exactHash → entry id. TTL = the entry's. */
  exact: (scopeId: string, exactHash: string) => `${scopeTag(scopeId)}x:${exactHash}`,
  exactPrefix: (scopeId: string) => `${scopeTag(scopeId)}x:`,
  /** ZSET entry id → expiresAt (ms). TTL = its longest-lived entry's. */
  entries: (scopeId: string) => `${scopeTag(scopeId)}ids`,
  /** HASH n (hits), saved (nano-USD). */
  hits: (scopeId: string) => `${scopeTag(scopeId)}hits`,
  /** STRING a miss's vector and question for the relay's fill (pending-fill.ts), per request id. TTL PENDING_FILL_TTL_SECONDS; taken by the fill. */
  pendingFill: (scopeId: string, requestId: string) => `${scopeTag(scopeId)}p:${requestId}`,
};

export const globalKeys = {
  /** ZSET "<scopeId>/<entryId>" → expiresAt: every entry (the global cap). */
  all: `${GLOBAL}all`,
  /** ZSET "<scopeId>/<entryId>" → expiresAt, one per team / model (purge and stats). */
  team: (teamId: string) => `${GLOBAL}team:${teamId}`,
  teamPrefix: `${GLOBAL}team:`,
  model: (model: string) => `${GLOBAL}model:${modelTag(model)}`,
  modelPrefix: `${GLOBAL}model:`,
  /** ZSET teamId / model / scopeId → latest expiresAt: what stats and purge-all walk. */
  teams: `${GLOBAL}teams`,
  models: `${GLOBAL}models`,
  scopes: `${GLOBAL}scopes`,
  /** HASH "<teamId>:n" / "<teamId>:saved" and "<modelHex>:n" / ":saved" hit counters. */
  teamHits: `${GLOBAL}hits:team`,
  modelHits: `${GLOBAL}hits:model`,
  /** STREAM of put / del / purge events: how every node's index learns of changes. */
  events: `${GLOBAL}events`,
};

export { modelTag };

/** The member naming one entry in the {cache} sets. */
export const memberOf = (scopeId: string, entryId: string): string => `${scopeId}/${entryId}`;

export function parseMember(member: string): { scopeId: string; entryId: string } | null {
  const slash = member.indexOf('/');
  return slash > 0 ? { scopeId: member.slice(0, slash), entryId: member.slice(slash + 1) } : null;
}
