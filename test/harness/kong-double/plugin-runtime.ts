/**
 * One external plugin as Kong 3.9 sees it: its plugin-server process, its RPC client, its instance
 * cache, and `handle_event` with the bridge loop
 * (kong/runloop/plugin_servers/plugin.lua get_instance_id / reset_instance,
 *  kong/runloop/plugin_servers/rpc/mp_rpc.lua bridge_loop / handle_event).
 */

import type { Phase, RequestContext } from './context';
import type { PluginEntity } from './deck';
import { callPdk, type PdkEnv, PdkRaise } from './pdk';
import type { PluginInfo, PluginServerProcess } from './plugin-server';
import { RpcClient, RpcError } from './rpc';

/** A plugin entity's config as sent with StartInstance (plugins_iterator.lua get_plugin_config). */
export interface PluginConfig {
  entity: PluginEntity;
  conf: Record<string, unknown>;
  seq: number;
}

/** mp_rpc.lua get_step_method by_pdk_method */
const STEP_METHODS: Record<string, string> = {
  'kong.client.get_credential': 'plugin.StepCredential',
  'kong.client.load_consumer': 'plugin.StepConsumer',
  'kong.client.get_consumer': 'plugin.StepConsumer',
  'kong.client.authenticate': 'plugin.StepCredential',
  'kong.node.get_memory_stats': 'plugin.StepMemoryStats',
  'kong.router.get_route': 'plugin.StepRoute',
  'kong.router.get_service': 'plugin.StepService',
  'kong.request.get_query': 'plugin.StepMultiMap',
  'kong.request.get_headers': 'plugin.StepMultiMap',
  'kong.response.get_headers': 'plugin.StepMultiMap',
  'kong.service.response.get_headers': 'plugin.StepMultiMap',
};

/** StartInstance failed: plugin.lua get_instance_id raises error(err). */
export class StartInstanceError extends Error {}

/** Retries after "no plugin instance" (Kong retries without bound; the double caps it). */
const MAX_INSTANCE_RETRIES = 3;

interface InstanceInfo {
  id: number | null;
  seq: number;
  pending: Promise<number> | null;
}

export class ExternalPlugin {
  readonly rpc: RpcClient;
  private readonly instances = new Map<string, InstanceInfo>();
  /** every PDK call seen, for tests asserting "no PDK call after exit" and the like */
  /** argBytes: the call's arguments as JSON, the size of what crossed the socket to Kong (tests bound it). */
  readonly calls: Array<{ method: string; phase: Phase; argBytes: number }> = [];

  constructor(
    readonly info: PluginInfo,
    readonly server: PluginServerProcess,
    private readonly log: (level: 'warn' | 'err' | 'notice', msg: string) => void,
  ) {
    this.rpc = new RpcClient(server.socketPath);
  }

  get name(): string {
    return this.info.name;
  }

  hasPhase(phase: string): boolean {
    return this.info.phases.includes(phase);
  }

  /** plugin.lua get_instance_id: key = plugin entity id; reuse while seq and __plugin_id match. */
  private async getInstanceId(cfg: PluginConfig): Promise<number> {
    const key = cfg.entity.id;
    const cur = this.instances.get(key);
    if (cur?.pending) return cur.pending; // another request is starting it (Kong polls up to 10 s)
    if (cur && cur.id !== null && cur.seq === cfg.seq) return cur.id;
    const oldId = cur?.id ?? null;
    const info: InstanceInfo = { id: null, seq: cfg.seq, pending: null };
    info.pending = (async () => {
      let status: unknown;
      try {
        status = await this.rpc.call('plugin.StartInstance', { Name: this.name, Config: JSON.stringify(cfg.conf) });
      } catch (e) {
        this.instances.delete(key);
        this.log('err', `starting instance: ${(e as Error).message}`);
        throw new StartInstanceError((e as Error).message);
      }
      const id = (status as { Id?: unknown } | null)?.Id;
      if (typeof id !== 'number') {
        this.instances.delete(key);
        throw new StartInstanceError(`StartInstance returned no Id: ${JSON.stringify(status)}`);
      }
      info.id = id;
      info.pending = null;
      if (oldId !== null) {
        // there was a previous instance with the same key: close it, ignore errors
        this.rpc.call('plugin.CloseInstance', oldId).catch(() => undefined);
      }
      return id;
    })();
    this.instances.set(key, info);
    return info.pending;
  }

  /** plugin.lua reset_instances_for_plugin (all workers: there is one worker here). */
  resetInstances(): void {
    this.instances.clear();
  }

  /**
   * mp_rpc.lua handle_event. Resolves 'exit' when the plugin called kong.response.exit/error.
   * Throws PdkRaise / StartInstanceError where Kong raises; logs and resolves 'ok' on any other
   * RPC error (fail-open).
   */
  async handleEvent(cfg: PluginConfig, phase: Phase, ctx: RequestContext, env: PdkEnv, attempt = 0): Promise<'ok' | 'exit'> {
    let instanceId: number;
    instanceId = await this.getInstanceId(cfg);
    try {
      return await this.bridgeLoop(instanceId, phase, ctx, env);
    } catch (e) {
      if (!(e instanceof RpcError)) throw e;
      if (e.message.toLowerCase().includes('no plugin instance')) {
        this.resetInstances();
        this.log('warn', e.message);
        if (attempt >= MAX_INSTANCE_RETRIES) {
          this.log('err', `${this.name}: giving up after ${attempt} instance restarts (Kong would retry forever)`);
          return 'ok';
        }
        return this.handleEvent(cfg, phase, ctx, env, attempt + 1);
      }
      this.log('err', e.message);
      return 'ok';
    }
  }

  /** mp_rpc.lua bridge_loop: HandleEvent, then one Step per PDK call until Data == "ret". */
  private async bridgeLoop(instanceId: number, phase: Phase, ctx: RequestContext, env: PdkEnv): Promise<'ok' | 'exit'> {
    let stepIn = (await this.rpc.call('plugin.HandleEvent', { InstanceId: instanceId, EventName: phase })) as StepIn;
    const eventId = stepIn?.EventId;
    for (;;) {
      if (!stepIn || typeof stepIn !== 'object') throw new RpcError(`unexpected HandleEvent/Step result: ${JSON.stringify(stepIn)}`);
      if (stepIn.Data === 'ret') return 'ok';
      const data = stepIn.Data as { Method?: unknown; Args?: unknown } | undefined;
      if (!data || typeof data.Method !== 'string') throw new RpcError(`malformed step: ${JSON.stringify(stepIn)}`);
      const method = data.Method;
      const args = Array.isArray(data.Args) ? data.Args : data.Args === undefined || data.Args === null ? [] : [data.Args];
      this.calls.push({ method, phase, argBytes: JSON.stringify(args).length });
      const out = await callPdk(ctx, env, method, args);
      // kong.response.exit / error: Kong yields (access) or ngx.exit()s; no further Step is sent
      if (out.kind === 'exit') return 'exit';
      const stepMethod = STEP_METHODS[method] ?? 'plugin.Step';
      const payload: Record<string, unknown> = { EventId: eventId };
      if (out.value !== undefined && out.value !== null) payload.Data = out.value; // nil: no Data key
      stepIn = (await this.rpc.call(stepMethod, payload)) as StepIn;
    }
  }

  close(): void {
    this.rpc.close();
  }
}

interface StepIn {
  Data?: unknown;
  EventId?: number;
}

export { PdkRaise };
