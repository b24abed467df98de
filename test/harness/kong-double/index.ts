/**
 * Kong-side TEST DOUBLE ("test ingress"): plays Kong 3.9 for the real kong-js-pluginserver so the
 * project's JS plugins can be exercised without OpenResty. Not production code: production is
 * real Kong. See README.md in this folder for what is and is not emulated.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AccessEntry } from './access-log';
import { BUNDLED_PLUGINS } from './bundled';
import { loadDeckFile, type PluginEntity, parseDeck } from './deck';
import { ErrorPages } from './error-pages';
import { createKongHttpServer } from './http-server';
import { newNodeId, uuidV5 } from './ids';
import { KONG_DEFAULT_SETTINGS, loadKongSettings } from './kong-conf';
import { validatePluginConfig } from './kong-schema';
import { type IngressLogEntry, IngressLogger } from './log';
import { compoundKey, type PluginEntry, sortPlugins } from './phases';
import { ExternalPlugin, type PluginConfig } from './plugin-runtime';
import { minimalEnv, type PluginInfo, PluginServerProcess, queryPluginInfo } from './plugin-server';
import { closeAgents } from './proxy';
import { Router } from './router';
import { makeHandler } from './server';
import { parseSize } from './size';
import { resolveVaultReferences } from './vault';

export type { AccessEntry } from './access-log';
export { loadDeckFile } from './deck';
export { validatePluginConfig } from './kong-schema';
export type { IngressLogEntry } from './log';

export interface IngressOptions {
  deckFile?: string;
  deck?: unknown;
  pluginsDir: string;
  host?: string;
  port?: number;
  prefix?: string;
  /**
   * A kong.conf to take error_default_type, error_template_*, nginx_http_client_body_buffer_size
   * and nginx_http_client_max_body_size from (the templates beside it); Kong's defaults without.
   */
  kongConf?: string;
  /** overrides the kong.conf / default client_body_buffer_size */
  clientBodyBufferSize?: string | number;
  pluginServerEnv?: Record<string, string>;
  vaultEnv?: Record<string, string | undefined>;
  onLog?: (e: IngressLogEntry) => void;
  /** One entry per request once its response is over, as nginx's access log (no headers, query or body). */
  onAccess?: (entry: AccessEntry) => void;
}

export interface Ingress {
  url: string;
  port: number;
  logs: IngressLogEntry[];
  close(): Promise<void>;
}

/** Kong's default workspace id is random per database; the double derives a stable one. */
const WS_ID = uuidV5('workspace:default');

export async function startIngress(opts: IngressOptions): Promise<Ingress> {
  const logger = new IngressLogger(opts.onLog);
  const doc = opts.deck !== undefined ? opts.deck : opts.deckFile ? loadDeckFile(opts.deckFile) : undefined;
  if (doc === undefined) throw new Error('startIngress: pass deck or deckFile');
  const deck = parseDeck(doc);
  const router = new Router(deck.routes, deck.services);
  const settings = opts.kongConf ? loadKongSettings(opts.kongConf) : KONG_DEFAULT_SETTINGS;
  const clientBodyBufferSize = opts.clientBodyBufferSize !== undefined ? parseSize(opts.clientBodyBufferSize) : settings.clientBodyBufferSize;
  const errorPages = new ErrorPages(settings);
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== 'localhost' && host !== '::1') {
    throw new Error(`startIngress: the test ingress listens on loopback only (got host ${host})`);
  }

  const ownPrefix = opts.prefix === undefined;
  const prefix = opts.prefix ?? mkdtempSync(join(tmpdir(), 'kong-ingress-'));
  const servers: PluginServerProcess[] = [];
  const externals: ExternalPlugin[] = [];
  let httpServer: Server | null = null;

  const cleanup = async (): Promise<void> => {
    if (httpServer) {
      const s = httpServer;
      httpServer = null;
      s.closeAllConnections?.();
      await new Promise<void>((r) => s.close(() => r()));
    }
    for (const e of externals) e.close();
    await Promise.all(servers.map((s) => s.stop()));
    await closeAgents();
    if (ownPrefix) rmSync(prefix, { recursive: true, force: true });
  };

  try {
    // ---- which deck plugins are ours (a folder in pluginsDir), which are Kong's bundled ones ----
    const names = [...new Set(deck.plugins.filter((p) => p.enabled).map((p) => p.name))].sort();
    const ours: string[] = [];
    for (const name of names) {
      const dir = resolve(opts.pluginsDir, name); // the server require()s relative to its own dir: absolute only
      const isOurs = existsSync(dir) && statSync(dir).isDirectory();
      if (isOurs && BUNDLED_PLUGINS.has(name)) {
        // kong/db/dao/plugins.lua load_plugin_handler: require "kong.plugins.<name>.handler" wins
        // over plugin servers, so real Kong would run its bundled Lua plugin, never this one.
        throw new Error(
          `plugin '${name}' in ${opts.pluginsDir} has the name of a plugin bundled with Kong 3.9 ` +
            `(kong/constants.lua); real Kong would load its Lua plugin instead (kong/db/dao/plugins.lua ` +
            `load_plugin_handler) and validate the config against that schema. Rename the JS plugin.`,
        );
      }
      if (isOurs) ours.push(name);
      else if (BUNDLED_PLUGINS.has(name)) {
        logger.log('notice', 'ingress', `plugin '${name}' is a Kong bundled (Lua) plugin: not run by the test ingress`);
      } else {
        throw new Error(`plugin '${name}' is enabled in the deck but not installed: no folder ${dir} and not a Kong bundled plugin`);
      }
    }

    const env = minimalEnv(opts.pluginServerEnv);
    const infos: PluginInfo[] = await Promise.all(ours.map((name) => queryPluginInfo(resolve(opts.pluginsDir, name), name, env)));

    // ---- validate configs (before spawning anything) ----
    const vaultEnv = opts.vaultEnv ?? process.env;
    let seq = 0;
    const configsByName = new Map<string, Map<string, PluginConfig>>();
    const errors: string[] = [];
    for (const p of deck.plugins) {
      if (!p.enabled) continue;
      const info = infos.find((i) => i.name === p.name);
      if (!info) continue;
      const res = validatePluginConfig(info.configSchema, p.config);
      if (!res.ok) {
        errors.push(...res.errors.map((e) => `plugin '${p.name}' (${scopeOf(p)}): config.${e}`));
        continue;
      }
      const conf = resolveVaultReferences(info.configSchema, res.config, vaultEnv, (m) => logger.log('warn', 'ingress', m));
      // kong/runloop/plugins_iterator.lua get_plugin_config: fields Kong adds to the config
      if (p.route) conf.route_id = p.route.id;
      if (p.service) conf.service_id = p.service.id;
      if (p.consumer) conf.consumer_id = p.consumer.id;
      conf.plugin_instance_name = p.instance_name;
      conf.__plugin_id = p.id;
      conf.__ws_id = WS_ID;
      conf.__key__ = `plugins:${p.name}:${p.route?.id ?? ''}:${p.service?.id ?? ''}:${p.consumer?.id ?? ''}::${WS_ID}`;
      conf.__seq__ = ++seq;
      const combos = configsByName.get(p.name) ?? new Map<string, PluginConfig>();
      combos.set(compoundKey(p.route?.id ?? null, p.service?.id ?? null, p.consumer?.id ?? null), { entity: p, conf, seq });
      configsByName.set(p.name, combos);
    }
    if (errors.length) throw new Error(`invalid plugin configuration:\n  ${errors.join('\n  ')}`);

    // ---- one plugin server per plugin (Kong 3.9), all started before serving ----
    for (const info of infos) {
      const srv = new PluginServerProcess(info, prefix, env, logger);
      servers.push(srv);
      await srv.start();
      externals.push(new ExternalPlugin(info, srv, (level, msg) => logger.log(level, info.name, msg)));
    }
    const entries: PluginEntry[] = sortPlugins(
      externals.map((plugin) => ({ plugin, combos: configsByName.get(plugin.name) ?? new Map<string, PluginConfig>() })),
    );

    const handler = makeHandler({
      router,
      plugins: entries,
      consumers: deck.consumers,
      nodeId: newNodeId(),
      wsId: WS_ID,
      clientBodyBufferSize,
      clientMaxBodySize: settings.clientMaxBodySize,
      errorPages,
      logger,
      onAccess: opts.onAccess,
      port: () => (httpServer?.address() as AddressInfo | null)?.port ?? 0,
    });
    const server = createKongHttpServer(handler, errorPages, logger);
    httpServer = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    logger.log('notice', 'ingress', `test ingress listening on http://${host}:${port} with plugins: ${ours.join(', ') || '(none)'}`);
    return {
      url: `http://${host}:${port}`,
      port,
      logs: logger.entries,
      close: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

function scopeOf(p: PluginEntity): string {
  const parts = [p.route && `route ${p.route.id}`, p.service && `service ${p.service.id}`, p.consumer && `consumer ${p.consumer.id}`].filter(Boolean);
  return parts.length ? parts.join(', ') : 'global';
}
