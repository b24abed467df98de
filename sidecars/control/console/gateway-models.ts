/**
 * The model groups the gateway runs, for GET /admin/models. The control API does not route, so
 * it reads aigw-proxy's config where Kong has it: Kong's Admin API when KONG_ADMIN_URL is set
 * (what Kong runs now, whether decK or Kong Manager put it there), else the decK file the gateway
 * was given (AIGW_GATEWAY_CONFIG: `make dev` writes the one it runs). Both are compiled by
 * aigw-proxy's own compileModels, so the console shows exactly what routing sees.
 */
import { readFile, stat } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { type AiProxyConfig, compileModels, type ModelGroup } from '../../../plugins/aigw-proxy/config';

export interface ConfiguredGroup extends ModelGroup {
  /** The services and routes whose aigw-proxy serves this model. */
  where: string[];
}

export interface GatewayModels {
  source: string;
  groups: ConfiguredGroup[];
}

export interface GatewayModelsSource {
  load(): Promise<GatewayModels>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Every aigw-proxy instance's config in a decK document, with where it is attached. */
export function proxyConfigsInDeck(deck: unknown): Array<{ where: string; config: Obj }> {
  const found: Array<{ where: string; config: Obj }> = [];
  const plugins = (owner: Obj, where: string): void => {
    for (const p of Array.isArray(owner.plugins) ? owner.plugins : []) {
      if (isObj(p) && p.name === 'aigw-proxy' && p.enabled !== false && isObj(p.config)) found.push({ where, config: p.config });
    }
  };
  if (!isObj(deck)) return found;
  plugins(deck, 'global');
  for (const service of Array.isArray(deck.services) ? deck.services : []) {
    if (!isObj(service)) continue;
    plugins(service, `service ${String(service.name)}`);
    for (const route of Array.isArray(service.routes) ? service.routes : []) if (isObj(route)) plugins(route, `route ${String(route.name)}`);
  }
  for (const route of Array.isArray(deck.routes) ? deck.routes : []) if (isObj(route)) plugins(route, `route ${String(route.name)}`);
  return found;
}

/** The groups by name; a model configured on several routes is listed once, with every place. */
export function groupsOf(instances: Array<{ where: string; config: Obj }>): ConfiguredGroup[] {
  const byName = new Map<string, ConfiguredGroup>();
  for (const { where, config } of instances) {
    if (!Array.isArray(config.models)) continue;
    const compiled = compileModels(config as unknown as AiProxyConfig);
    for (const group of compiled.byName.values()) {
      const seen = byName.get(group.name);
      if (seen) seen.where.push(where);
      else byName.set(group.name, { ...group, where: [where] });
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The decK file, parsed again only when it changed. */
export class DeckFileModels implements GatewayModelsSource {
  private cached: { mtimeMs: number; models: GatewayModels } | null = null;

  constructor(private readonly path: string) {}

  async load(): Promise<GatewayModels> {
    const info = await stat(this.path);
    if (info.size > MAX_CONFIG_BYTES) throw new Error(`${this.path} is larger than ${MAX_CONFIG_BYTES} bytes`);
    if (this.cached?.mtimeMs === info.mtimeMs) return this.cached.models;
    const models = { source: `decK file ${this.path}`, groups: groupsOf(proxyConfigsInDeck(parseYaml(await readFile(this.path, 'utf8')))) };
    this.cached = { mtimeMs: info.mtimeMs, models };
    return models;
  }
}

/** Kong's Admin API: GET /plugins, every page, aigw-proxy's instances. */
export class KongAdminModels implements GatewayModelsSource {
  constructor(
    private readonly adminUrl: string,
    private readonly timeoutMs = 5000,
  ) {}

  async load(): Promise<GatewayModels> {
    const instances: Array<{ where: string; config: Obj }> = [];
    let next: string | null = '/plugins?size=1000';
    for (let page = 0; next && page < 20; page++) {
      const res = await fetch(new URL(next, this.adminUrl), { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!res.ok) throw new Error(`Kong's Admin API answered ${res.status} to GET /plugins`);
      const body = (await res.json()) as { data?: unknown[]; next?: string | null };
      for (const p of body.data ?? []) {
        if (!isObj(p) || p.name !== 'aigw-proxy' || p.enabled === false || !isObj(p.config)) continue;
        const route = isObj(p.route) ? `route ${String(p.route.id)}` : null;
        const service = isObj(p.service) ? `service ${String(p.service.id)}` : null;
        instances.push({ where: route ?? service ?? 'global', config: p.config });
      }
      next = body.next ?? null;
    }
    return { source: `Kong Admin API ${this.adminUrl}`, groups: groupsOf(instances) };
  }
}

export function gatewayModelsFrom(env: NodeJS.ProcessEnv = process.env): GatewayModelsSource | null {
  if (env.KONG_ADMIN_URL) return new KongAdminModels(env.KONG_ADMIN_URL);
  if (env.AIGW_GATEWAY_CONFIG) return new DeckFileModels(env.AIGW_GATEWAY_CONFIG);
  return null;
}
