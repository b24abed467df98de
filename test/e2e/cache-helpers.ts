/** Shared steps of the semantic cache's end-to-end tests. */
import { type CacheKey, cacheKeyOf, keyOf } from '../../lib/semantic-cache/scope';
import type { CacheStore } from '../../lib/semantic-cache/store';
import { cacheRouteOf, keyedRequestOf } from '../../plugins/aigw-semantic-cache/cache-route';
import type { DevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { uniqueName } from './helpers';

/** Waits until the relay has stored the answer to this request for `teamId` (the fill is off the request path). */
export async function waitForFill(store: CacheStore, teamId: string, format: 'openai' | 'anthropic', body: Record<string, unknown>): Promise<void> {
  await waitForEntry(store, cacheKeyOf(format, body, `team:${teamId}`, body.model as string)!);
}

/** The same for any format, keyed as the plugin keys the body sent to `path` (Google's model is in the path). */
export async function waitForFillAt(store: CacheStore, teamId: string, path: string, body: Record<string, unknown>, model: string): Promise<void> {
  await waitForEntry(store, keyOf(keyedRequestOf(cacheRouteOf(path)!, body)!, `team:${teamId}`, model)!);
}

async function waitForEntry(store: CacheStore, key: CacheKey): Promise<void> {
  await waitFor(
    async () => {
      const found = await store.getExact(key.scopeId, key.exactHash);
      return found.ok && found.value !== null;
    },
    5000,
    'the cache fill',
  );
}

/** A team and a key of it (the cache scopes by team), created through the control API. */
export async function cacheTeam(stack: DevStack, name: string): Promise<{ teamId: string; key: string }> {
  const team = await stack.admin('POST', '/admin/teams', { name: uniqueName(name) });
  const key = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName(name), team: team.body.id });
  if (team.status !== 201 || key.status !== 201) throw new Error(`team ${team.status}, key ${key.status}`);
  return { teamId: team.body.id as string, key: key.body.key as string };
}
