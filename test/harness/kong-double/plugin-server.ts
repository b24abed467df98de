/**
 * Discovery and process management of the real `kong-js-pluginserver`, one process per plugin,
 * as Kong 3.9 requires (kong/runloop/plugin_servers/process.lua):
 * - query: `kong-js-pluginserver --plugins-directory <dir> --dump-all-plugins`; stdout must be
 *   pure JSON (Kong: cjson.decode of the whole output, "failed decoding plugin info" otherwise);
 *   only element [1] (Lua) / [0] (JS) is used: `(dump.Plugins or dump)[1]`;
 * - start: `-d <dir> -p <prefix> --sock-name <name>.sock`, stdout+stderr merged and logged at INFO
 *   with a `[name:pid]` prefix (grab_logs); stopped with SIGTERM (stop_pluginservers).
 * - respawn: a server that ends is started again, no sooner than 1 s after the previous spawn
 *   (pluginserver_timer), with Kong's log lines.
 * Differences, on purpose: this double waits for the socket before serving (real Kong does not:
 * early requests get a 500 from StartInstance) and escalates to SIGKILL after a grace period.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join, resolve } from 'node:path';
import type { KongSchema } from '../../../lib/kong/schema';
import { REPO_ROOT } from '../repo-root';
import type { IngressLogger } from './log';

export interface PluginInfo {
  name: string;
  version: string;
  priority: number;
  phases: string[];
  /** the `fields` of the config record (the plugin's exported Schema) */
  configSchema: KongSchema;
  dir: string;
}

/** node_modules/.bin/kong-js-pluginserver of this repository. */
export function pluginServerBin(): string {
  const candidates = [join(REPO_ROOT, 'node_modules', '.bin', 'kong-js-pluginserver'), resolve(process.cwd(), 'node_modules/.bin/kong-js-pluginserver')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`kong-js-pluginserver not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** nginx strips the environment down to TZ (plus nginx_main_env); the double keeps PATH too. */
export function minimalEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };
  if (process.env.TZ !== undefined) env.TZ = process.env.TZ;
  return { ...env, ...(extra ?? {}) };
}

/** Runs the query command and checks the dump as Kong 3.9 would. Throws on any problem. */
export async function queryPluginInfo(dir: string, expectedName: string, env: NodeJS.ProcessEnv): Promise<PluginInfo> {
  const bin = pluginServerBin();
  const stdout = await new Promise<string>((res, rej) => {
    execFile(bin, ['--plugins-directory', dir, '--dump-all-plugins'], { env, timeout: 30_000, maxBuffer: 16 << 20 }, (err, out, errOut) => {
      if (err) rej(new Error(`plugin '${expectedName}': query command failed: ${err.message}\n${errOut}`));
      else res(out);
    });
  });
  let dump: unknown;
  try {
    dump = JSON.parse(stdout);
  } catch (e) {
    // kong/runloop/plugin_servers/process.lua query_external_plugin_info: cjson.decode(stdout)
    throw new Error(
      `plugin '${expectedName}': failed decoding plugin info: stdout of --dump-all-plugins is not pure JSON ` +
        `(Kong refuses to start; a top-level console.log or a loader warning pollutes it): ${(e as Error).message}\n` +
        `stdout was: ${stdout.slice(0, 500)}`,
    );
  }
  if (typeof dump !== 'object' || dump === null) throw new Error(`plugin '${expectedName}': not a plugin info table`);
  const list = (dump as { Plugins?: unknown }).Plugins ?? dump;
  const info = Array.isArray(list) ? (list[0] as Record<string, unknown> | undefined) : undefined;
  if (!info) throw new Error(`plugin '${expectedName}': --dump-all-plugins listed no plugin`);
  if (Array.isArray(list) && list.length > 1) {
    throw new Error(
      `plugin '${expectedName}': ${dir} holds ${list.length} plugins; Kong 3.9 registers only the first ` +
        `(process.lua reads (dump.Plugins or dump)[1]); give each plugin its own directory`,
    );
  }
  if (info.Name !== expectedName) {
    throw new Error(`plugin '${expectedName}': the plugin server in ${dir} reports name '${String(info.Name)}'`);
  }
  if (typeof info.Version !== 'string' || !/^\d+\.\d+\.\d+$/.test(info.Version)) {
    throw new Error(`plugin '${expectedName}': Version must be "x.y.z" (got ${JSON.stringify(info.Version)})`);
  }
  if (typeof info.Priority !== 'number') throw new Error(`plugin '${expectedName}': Priority missing`);
  const schema = info.Schema as { fields?: Array<{ config?: { fields?: KongSchema } }> } | undefined;
  const configSchema = schema?.fields?.[0]?.config?.fields;
  if (!Array.isArray(configSchema)) throw new Error(`plugin '${expectedName}': dump has no config schema`);
  return {
    name: expectedName,
    version: info.Version,
    priority: info.Priority,
    phases: Array.isArray(info.Phases) ? (info.Phases as string[]) : [],
    configSchema,
    dir,
  };
}

/** process.lua pluginserver_timer: the next spawn comes no sooner than this after the previous one. */
export const RESPAWN_INTERVAL_MS = 1000;

export class PluginServerProcess {
  readonly socketPath: string;
  private child: ChildProcess | null = null;
  private lastSpawnAt = 0;
  private respawnTimer: NodeJS.Timeout | null = null;
  private stopping = false;

  constructor(
    readonly info: PluginInfo,
    private readonly prefix: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly logger: IngressLogger,
  ) {
    this.socketPath = join(prefix, `${info.name}.sock`);
  }

  /** Spawns the server and waits for its socket (the double's start-up difference, see above). */
  async start(waitMs = 20_000): Promise<void> {
    const child = this.spawn();
    const deadline = Date.now() + waitMs;
    while (!existsSync(this.socketPath)) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`plugin server for '${this.info.name}' exited before listening`);
      if (Date.now() > deadline) throw new Error(`plugin server for '${this.info.name}' did not create ${this.socketPath}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  private spawn(): ChildProcess {
    const args = ['-d', this.info.dir, '-p', this.prefix, '--sock-name', `${this.info.name}.sock`];
    this.logger.log('notice', 'ingress', `[pluginserver] starting pluginserver process for ${this.info.name}`);
    const child = spawn(pluginServerBin(), args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.lastSpawnAt = Date.now();
    this.logger.log('notice', this.info.name, `[pluginserver] started, pid ${child.pid}`);
    const tag = `[${this.info.name}:${child.pid}] `;
    for (const stream of [child.stdout, child.stderr]) {
      let buf = '';
      stream!.setEncoding('utf8');
      stream!.on('data', (d: string) => {
        buf += d;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line !== '') this.logger.log('info', this.info.name, tag + line);
        }
      });
      stream!.on('end', () => {
        if (buf !== '') this.logger.log('info', this.info.name, tag + buf);
      });
    }
    child.on('error', (e) => this.logger.log('err', 'ingress', `[pluginserver] could not spawn '${this.info.name}': ${e.message}`));
    child.on('exit', (code, signal) => this.exited(child, code, signal));
    return child;
  }

  /**
   * process.lua pluginserver_timer: log the end, then spawn again, no sooner than 1 s after the
   * previous spawn. Its 127 ("command not found") branch only leaves the inner wait loop, so that
   * command is retried every second too. Meanwhile RPCs fail to connect: plugins are skipped
   * (fail-open), and the new server answers "no plugin instance" until instances are restarted.
   */
  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    // ngx.pipe proc:wait(): reason "exit" or "signal", status the code or the signal number
    const reason = signal ? 'signal' : 'exit';
    const status = signal ? osConstants.signals[signal] : code;
    if (code === 127) {
      this.logger.log('err', 'ingress', `[pluginserver] external pluginserver "${this.info.name}" start command exited with "command not found"`);
    } else {
      this.logger.log('notice', 'ingress', `external pluginserver '${this.info.name}' terminated: ${reason} ${status}`);
    }
    if (this.stopping) return;
    const delay = Math.max(0, this.lastSpawnAt + RESPAWN_INTERVAL_MS - Date.now());
    this.respawnTimer = setTimeout(() => {
      this.respawnTimer = null;
      if (!this.stopping) this.spawn();
    }, delay);
  }

  /** process.lua stop_pluginservers: SIGTERM (the double escalates to SIGKILL after a grace period). */
  async stop(graceMs = 2000): Promise<void> {
    this.stopping = true;
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    this.respawnTimer = null;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const done = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await done;
    clearTimeout(timer);
  }
}
