/**
 * Where a kept response lives in Redis. A response belongs to a tenant: the key's team, or the
 * key itself when it has none (the semantic cache's rule), and its key names the tenant, so a
 * lookup from another tenant can only miss: one tenant can never continue another's response.
 *
 *   aigw:{resp:t:<teamId>}:<hex of response id>:items   the context (input and output items, JSON)
 *   aigw:{resp:t:<teamId>}:<hex of response id>:shape   its PromptShape (JSON), for budgets
 *
 * The hash tag keeps both in one Redis Cluster slot; the id is the client's text, hex-encoded.
 */
import { checkId } from '../limits/redis-keys';

export interface ResponseOwner {
  keyId: string;
  teamId: string | null;
}

/** The tenant a request's responses belong to. */
export function responseTenant(owner: ResponseOwner): string {
  return owner.teamId ? `t:${checkId(owner.teamId)}` : `k:${checkId(owner.keyId)}`;
}

export function responseKeys(tenant: string, responseId: string): { items: string; shape: string } {
  const base = `aigw:{resp:${tenant}}:${Buffer.from(responseId, 'utf8').toString('hex')}`;
  return { items: `${base}:items`, shape: `${base}:shape` };
}
