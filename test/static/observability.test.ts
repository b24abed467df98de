/**
 * Prometheus and Grafana files under kong/observability/.
 * The Prometheus config is checked with `promtool check config` from Debian's `prometheus`
 * package (2.42; installs in seconds with --no-install-recommends), the same parser Prometheus
 * runs. The targets are then checked against kong.conf and docker-compose.yml.
 */
import { readdirSync } from 'node:fs';
import { PLUGIN_METRICS_PORTS_DEFAULT } from '../../lib/gateway-defaults';
import { METRICS_KEY_LABEL_ENV } from '../../lib/metrics/labels';
import { PLUGIN_METRICS_PORTS_ENV } from '../../lib/metrics/plugin-server';
import { asRecord, describeRun, kongConf, parseYaml, readRepoFile, repoPath, requireTool, runTool, tempDir, writeTemp } from './static-helpers';

const PROMETHEUS_YML = 'kong/observability/prometheus.yml';

function promtoolCheck(file: string) {
  const promtool = requireTool('promtool', 'prometheus');
  return runTool(promtool, ['check', 'config', file]);
}

function scrapeTargets(): Record<string, { path: string; targets: string[] }> {
  const config = asRecord(parseYaml(readRepoFile(PROMETHEUS_YML)), PROMETHEUS_YML);
  const jobs: Record<string, { path: string; targets: string[] }> = {};
  for (const job of config.scrape_configs as unknown[]) {
    const j = asRecord(job, 'scrape config');
    const targets = (j.static_configs as unknown[]).flatMap((s) => (asRecord(s, 'static config').targets as unknown[]).map(String));
    jobs[String(j.job_name)] = { path: String(j.metrics_path ?? '/metrics'), targets };
  }
  return jobs;
}

function composeService(name: string): Record<string, unknown> {
  const compose = asRecord(parseYaml(readRepoFile('docker-compose.yml')), 'docker-compose.yml');
  return asRecord(asRecord(compose.services, 'services')[name], name);
}

describe('Prometheus', () => {
  test('promtool check config accepts kong/observability/prometheus.yml', () => {
    const r = promtoolCheck(repoPath(PROMETHEUS_YML));
    if (r.status !== 0) throw new Error(describeRun('promtool check config', r));
    expect(r.status).toBe(0);
  });

  test('promtool really checks (a config with an unknown key is rejected)', () => {
    const bad = `${readRepoFile(PROMETHEUS_YML)}\nnot_a_prometheus_key: 1\n`;
    const r = promtoolCheck(writeTemp(tempDir('aigw-prom-'), 'prometheus.yml', bad));
    expect(r.status).not.toBe(0);
  });

  test("scrapes Kong's status API where kong.conf puts it, and the relay's and the inference sidecar's /metrics on their ports", () => {
    const jobs = scrapeTargets();
    const status = /^(\S+?:\d+)/.exec(kongConf().get('status_listen') ?? '');
    expect(status).not.toBeNull();
    expect(jobs.kong).toEqual({ path: '/metrics', targets: [(status as RegExpExecArray)[1]] });
    const relayEnv = asRecord(composeService('relay').environment, 'relay environment');
    expect(jobs.relay).toEqual({ path: '/metrics', targets: [`127.0.0.1:${String(relayEnv.RELAY_PORT)}`] });
    const inferenceEnv = asRecord(composeService('inference').environment, 'inference environment');
    expect(jobs.inference).toEqual({ path: '/metrics', targets: [`127.0.0.1:${String(inferenceEnv.INFERENCE_METRICS_PORT)}`] });
    // Loopback targets are only reachable because Prometheus shares Kong's network namespace.
    expect(composeService('prometheus').network_mode).toBe('service:kong');
  });

  test("scrapes every plugin server on the port AIGW_PLUGIN_METRICS_PORTS gives it in the Kong container, the gateway's default, which kong.conf lets through nginx", () => {
    const kongEnv = asRecord(composeService('kong').environment, 'kong environment');
    const spec = String(kongEnv[PLUGIN_METRICS_PORTS_ENV]);
    expect(spec).toBe(PLUGIN_METRICS_PORTS_DEFAULT);
    const pairs = spec.split(',').map((pair) => pair.split('='));
    // Every plugin of ours has a port, and each target says whose it is.
    expect(pairs.map(([plugin]) => plugin).sort()).toEqual(readdirSync(repoPath('plugins')).sort());
    expect(pluginTargets()).toEqual(pairs.map(([plugin, port]) => ({ target: `127.0.0.1:${port}`, plugin })));
    expect(kongConf().get('nginx_main_env')).toContain(`env ${PLUGIN_METRICS_PORTS_ENV};`);
    expect(kongConf().get('nginx_main_env')).toContain(`env ${METRICS_KEY_LABEL_ENV};`);
  });

  test("scrapes the control API's /metrics on CONTROL_PORT", () => {
    const controlEnv = asRecord(composeService('control').environment, 'control environment');
    expect(jobsTargets('control')).toEqual([`127.0.0.1:${String(controlEnv.CONTROL_PORT)}`]);
  });
});

const jobsTargets = (job: string): string[] => scrapeTargets()[job]?.targets ?? [];

/** The plugin-servers job's targets, each with its `plugin` label. */
function pluginTargets(): Array<{ target: string; plugin: unknown }> {
  const config = asRecord(parseYaml(readRepoFile(PROMETHEUS_YML)), PROMETHEUS_YML);
  const job = (config.scrape_configs as unknown[]).map((j) => asRecord(j, 'scrape config')).find((j) => j.job_name === 'plugin-servers');
  return ((job?.static_configs ?? []) as unknown[]).flatMap((s) => {
    const config = asRecord(s, 'static config');
    const labels = asRecord(config.labels ?? {}, 'labels');
    return (config.targets as unknown[]).map((target) => ({ target: String(target), plugin: labels.plugin }));
  });
}

describe('Grafana provisioning', () => {
  const datasources = asRecord(parseYaml(readRepoFile('kong/observability/grafana/provisioning/datasources/prometheus.yml')), 'datasources');
  const ds = asRecord((datasources.datasources as unknown[])[0], 'datasource');

  test("the datasource points at Prometheus (inside Kong's namespace, so at kong:<listen port>)", () => {
    const command = (composeService('prometheus').command as unknown[]).map(String);
    const listen = command.find((a) => a.startsWith('--web.listen-address='));
    expect(listen).toBeDefined();
    const port = String(listen).split(':').pop();
    expect(ds.type).toBe('prometheus');
    expect(ds.url).toBe(`http://kong:${port}`);
  });

  test('dashboards parse and use the provisioned datasource', () => {
    const dir = 'kong/observability/grafana/dashboards';
    const files = readdirSync(repoPath(dir)).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const dashboard = JSON.parse(readRepoFile(dir, file)) as {
        uid?: string;
        panels?: Array<{ datasource?: { uid?: string }; targets?: Array<{ expr?: string }> }>;
      };
      expect(dashboard.uid).toBeTruthy();
      expect(dashboard.panels?.length).toBeGreaterThan(0);
      for (const panel of dashboard.panels ?? []) {
        expect(panel.datasource?.uid).toBe(ds.uid);
        for (const target of panel.targets ?? []) expect(target.expr).toBeTruthy();
      }
    }
    const providers = asRecord(parseYaml(readRepoFile('kong/observability/grafana/provisioning/dashboards/dashboards.yml')), 'providers');
    const path = String(asRecord(asRecord((providers.providers as unknown[])[0], 'provider').options, 'options').path);
    const grafanaVolumes = (composeService('grafana').volumes as unknown[]).map(String);
    expect(grafanaVolumes).toContain(`./${dir}:${path}:ro`);
  });
});
