/**
 * Plugin iteration per phase (kong/init.lua execute_*_plugins_iterator,
 * kong/runloop/plugins_iterator.lua):
 * - order: priority descending, ties (non-zero) by name descending (kong/db/dao/plugins.lua
 *   sort_by_handler_priority);
 * - rewrite: global configs only (no route/service/consumer);
 * - access ("collecting" iterator): for each plugin, the config is looked up at the moment the
 *   plugin's turn comes (lookup_cfg precedence: route+service+consumer, route+consumer,
 *   service+consumer, route+service, consumer, route, service, global), so an earlier auth plugin
 *   that called kong.client.authenticate selects consumer-scoped configs of later ones; the
 *   iteration continues after an exit (collecting `response`/`log` handlers) but no further
 *   access handler runs; a raise in a handler becomes a delayed 500;
 * - response and log: the collected list, in the same order. Without a routed request (404 or an
 *   exit in rewrite) the global configs are used, as get_collected_iterator falls back to them.
 */
import type { Phase, RequestContext } from './context';
import type { ErrorPages } from './error-pages';
import type { PdkEnv } from './pdk';
import { PdkRaise } from './pdk';
import { type ExternalPlugin, type PluginConfig, StartInstanceError } from './plugin-runtime';

export interface PluginEntry {
  plugin: ExternalPlugin;
  /** compound key "route:service:consumer" -> config (plugins_iterator.lua build_compound_key) */
  combos: Map<string, PluginConfig>;
}

export interface Collected {
  response: Array<[ExternalPlugin, PluginConfig]>;
  log: Array<[ExternalPlugin, PluginConfig]>;
}

export function compoundKey(route: string | null, service: string | null, consumer: string | null): string {
  return `${route ?? ''}:${service ?? ''}:${consumer ?? ''}`;
}

export function sortPlugins(entries: PluginEntry[]): PluginEntry[] {
  return [...entries].sort((a, b) => {
    const pa = a.plugin.info.priority;
    const pb = b.plugin.info.priority;
    if (pa === pb && pa !== 0 && pb !== 0) return a.plugin.name > b.plugin.name ? -1 : a.plugin.name < b.plugin.name ? 1 : 0;
    return pb - pa;
  });
}

/** plugins_iterator.lua lookup_cfg */
export function lookupConfig(
  combos: Map<string, PluginConfig>,
  routeId: string | null,
  serviceId: string | null,
  consumerId: string | null,
): PluginConfig | undefined {
  const tries: Array<[string | null, string | null, string | null, boolean]> = [
    [routeId, serviceId, consumerId, !!(routeId && serviceId && consumerId)],
    [routeId, null, consumerId, !!(routeId && consumerId)],
    [null, serviceId, consumerId, !!(serviceId && consumerId)],
    [routeId, serviceId, null, !!(routeId && serviceId)],
    [null, null, consumerId, !!consumerId],
    [routeId, null, null, !!routeId],
    [null, serviceId, null, !!serviceId],
  ];
  for (const [r, s, c, ok] of tries) {
    if (!ok) continue;
    const cfg = combos.get(compoundKey(r, s, c));
    if (cfg) return cfg;
  }
  return combos.get(compoundKey(null, null, null));
}

export type HandlerOutcome = 'ok' | 'exit' | 'raise';

/** Runs one handler; PDK raises and StartInstance failures are logged and reported as 'raise'. */
export async function runHandler(plugin: ExternalPlugin, cfg: PluginConfig, phase: Phase, ctx: RequestContext, env: PdkEnv): Promise<HandlerOutcome> {
  ctx.phase = phase;
  try {
    return await plugin.handleEvent(cfg, phase, ctx, env);
  } catch (e) {
    if (e instanceof PdkRaise || e instanceof StartInstanceError) {
      env.log('err', `${phase} handler of ${plugin.name} raised: ${e.message}`);
      return 'raise';
    }
    throw e;
  }
}

/**
 * The 500 Kong answers when a plugin raises in access: execute_collecting_plugins_iterator saves
 * a delayed response that flush_delayed_response sends with kong.response.error (kong/init.lua).
 */
export function unexpectedError(ctx: RequestContext, pages: ErrorPages): void {
  ctx.unexpected = true;
  const page = pages.pdkErrorPage(500, 'An unexpected error occurred', undefined, ctx.headers, ctx.id);
  ctx.delayedResponse = { status: page.status, body: page.body, headers: { 'Content-Type': page.contentType } };
}

/** Global configs of the plugins that implement `phase`, in execution order. */
export function globalList(entries: PluginEntry[], phase: string): Array<[ExternalPlugin, PluginConfig]> {
  const out: Array<[ExternalPlugin, PluginConfig]> = [];
  for (const e of entries) {
    const cfg = e.combos.get(compoundKey(null, null, null));
    if (cfg && e.plugin.hasPhase(phase)) out.push([e.plugin, cfg]);
  }
  return out;
}

/** Fills `collected` as it goes: a request the client abandons mid-access still logs what was collected. */
export async function runAccess(entries: PluginEntry[], ctx: RequestContext, envFor: (p: ExternalPlugin) => PdkEnv, collected: Collected): Promise<void> {
  for (const e of entries) {
    const consumer = ctx.authenticatedConsumer as { id?: unknown } | null;
    const consumerId = consumer && typeof consumer.id === 'string' ? consumer.id : null;
    const cfg = lookupConfig(e.combos, ctx.route?.id ?? null, ctx.service?.id ?? null, consumerId);
    if (!cfg) continue;
    if (e.plugin.hasPhase('response')) {
      collected.response.push([e.plugin, cfg]);
      ctx.bufferedProxying = true;
    }
    if (e.plugin.hasPhase('log')) collected.log.push([e.plugin, cfg]);
    if (e.plugin.hasPhase('access') && !ctx.delayedResponse) {
      const env = envFor(e.plugin);
      const out = await runHandler(e.plugin, cfg, 'access', ctx, env);
      if (out === 'raise') unexpectedError(ctx, env.errorPages);
    }
  }
}
