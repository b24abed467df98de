/**
 * A real Prometheus (Debian's `prometheus`) scraping a running dev stack: `make dev` on :9090 and
 * the end-to-end dashboard test on a free port. The config it writes has the job names, `plugin`
 * labels and rule files of kong/observability/prometheus.yml (a test keeps them in step), with
 * each target at the port this stack actually uses. Its own temp dir; stopped by its PID.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { pluginMetricsPort } from '../../../lib/metrics/plugin-server';
import { MissingBinaryError } from '../stores/binaries';
import { waitFor } from '../wait-for';
import { REPO_ROOT } from './sidecar-process';

/** The compose stack's Prometheus config: job names and rule files come from here. */
export const COMPOSE_PROMETHEUS_CONFIG = join(REPO_ROOT, 'kong', 'observability', 'prometheus.yml');

/** Jobs of the compose config that a dev stack does not have: it plays Kong in Node. */
export const REAL_KONG_ONLY_JOBS = ['kong'] as const;

/** Where each component of a running stack serves /metrics. */
export interface StackTargets {
  /** host:port of each. */
  relay: string;
  control: string;
  inference: string | null;
  /** plugin name → loopback port, from the stack's AIGW_PLUGIN_METRICS_PORTS. */
  pluginServers: Record<string, number>;
}

export interface ConfigOptions {
  scrapeInterval: string;
  /** host:port Prometheus listens on (its own `prometheus` job scrapes it). */
  listen: string;
}

/** `name=port,…` (AIGW_PLUGIN_METRICS_PORTS) as plugin → port. */
export function pluginPorts(spec: string): Record<string, number> {
  const ports: Record<string, number> = {};
  for (const name of spec.split(',').map((pair) => pair.split('=')[0]!.trim())) {
    const port = pluginMetricsPort(spec, name);
    if (port !== null) ports[name] = port;
  }
  return ports;
}

/** The rule files of the compose config, as absolute paths (Prometheus reads them relative to its config). */
export function composeRuleFiles(): string[] {
  const config = parse(readFileSync(COMPOSE_PROMETHEUS_CONFIG, 'utf8')) as { rule_files?: string[] };
  return (config.rule_files ?? []).map((file) => resolve(dirname(COMPOSE_PROMETHEUS_CONFIG), file));
}

const job = (name: string, targets: string[], labels?: Record<string, string>) => ({
  job_name: name,
  metrics_path: '/metrics',
  static_configs: [{ targets, ...(labels ? { labels } : {}) }],
});

/** The Prometheus config (YAML) scraping `targets`. */
export function prometheusConfig(targets: StackTargets, options: ConfigOptions): string {
  const scrapeConfigs = [
    job('relay', [targets.relay]),
    job('control', [targets.control]),
    ...(targets.inference ? [job('inference', [targets.inference])] : []),
    {
      job_name: 'plugin-servers',
      metrics_path: '/metrics',
      static_configs: Object.entries(targets.pluginServers).map(([plugin, port]) => ({ targets: [`127.0.0.1:${port}`], labels: { plugin } })),
    },
    job('prometheus', [options.listen]),
  ];
  return stringify({
    global: { scrape_interval: options.scrapeInterval, scrape_timeout: options.scrapeInterval, evaluation_interval: options.scrapeInterval },
    rule_files: composeRuleFiles(),
    scrape_configs: scrapeConfigs,
  });
}

/** Prometheus's path (AIGW_PROMETHEUS_BIN, else Debian's), or a MissingBinaryError. */
export function prometheusBinary(env: NodeJS.ProcessEnv = process.env): string {
  const file = env.AIGW_PROMETHEUS_BIN || '/usr/bin/prometheus';
  try {
    accessSync(file, constants.X_OK);
  } catch {
    throw new MissingBinaryError(file, 'prometheus', 'AIGW_PROMETHEUS_BIN');
  }
  return file;
}

export interface RunningPrometheus {
  /** http://127.0.0.1:PORT */
  url: string;
  pid: number;
  close(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Starts Prometheus on 127.0.0.1:`port` scraping `targets`; resolves once it reports ready. */
export async function startPrometheus(targets: StackTargets, options: { port: number; scrapeInterval?: string }): Promise<RunningPrometheus> {
  const binary = prometheusBinary();
  const dir = mkdtempSync(join(tmpdir(), 'aigw-prometheus-'));
  const listen = `127.0.0.1:${options.port}`;
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, prometheusConfig(targets, { scrapeInterval: options.scrapeInterval ?? '5s', listen }));
  const child = spawn(
    binary,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=${listen}`, '--storage.tsdb.retention.time=1d'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString('utf8')).slice(-4000)));
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const running of live) running.kill('SIGKILL');
    });
  }
  const exited = new Promise<void>((done) => {
    child.once('exit', () => done());
    child.once('error', (error) => {
      output += error.message;
      done();
    });
  });
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    live.delete(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://${listen}`;
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`prometheus exited: ${output.trim().slice(-1500)}`);
        const ready = await fetch(`${url}/-/ready`).then(
          (r) => r.ok,
          () => false,
        );
        return ready || undefined;
      },
      20_000,
      'prometheus to report ready',
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { url, pid: child.pid!, close };
}
