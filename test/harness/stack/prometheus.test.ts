/**
 * The dev stack's Prometheus: its config keeps the compose config's job names, `plugin` labels and
 * rule files (a renamed job would break dashboards and alerts in one place only), promtool accepts
 * it, and the real binary starts, scrapes a target and stops by its PID.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { freePort } from '../stores/ports';
import { waitFor } from '../wait-for';
import { COMPOSE_PROMETHEUS_CONFIG, composeRuleFiles, pluginPorts, prometheusConfig, REAL_KONG_ONLY_JOBS, startPrometheus } from './prometheus';

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs: Array<{ targets: string[]; labels?: Record<string, string> }>;
}

const targets = {
  relay: '127.0.0.1:18787',
  control: '127.0.0.1:18788',
  inference: '127.0.0.1:18789',
  pluginServers: pluginPorts('aigw-virtual-key=18790,aigw-semantic-cache=18791'),
};
const generated = parse(prometheusConfig(targets, { scrapeInterval: '1s', listen: '127.0.0.1:19090' })) as {
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
};
const compose = parse(readFileSync(COMPOSE_PROMETHEUS_CONFIG, 'utf8')) as { scrape_configs: ScrapeConfig[] };

test("the dev config's jobs are the compose config's (but Kong's), on the same paths, plugin servers labelled by plugin", () => {
  const jobs = (configs: ScrapeConfig[]) => configs.map((c) => `${c.job_name} ${c.metrics_path ?? '/metrics'}`).sort();
  const composeJobs = compose.scrape_configs.filter((c) => !(REAL_KONG_ONLY_JOBS as readonly string[]).includes(c.job_name));
  expect(jobs(generated.scrape_configs)).toEqual(jobs(composeJobs));
  for (const config of [generated, compose]) {
    const plugins = config.scrape_configs.find((c) => c.job_name === 'plugin-servers')!;
    for (const s of plugins.static_configs) expect(s.labels?.plugin).toMatch(/^aigw-/);
  }
  const pluginJob = generated.scrape_configs.find((c) => c.job_name === 'plugin-servers')!;
  expect(pluginJob.static_configs).toEqual([
    { targets: ['127.0.0.1:18790'], labels: { plugin: 'aigw-virtual-key' } },
    { targets: ['127.0.0.1:18791'], labels: { plugin: 'aigw-semantic-cache' } },
  ]);
});

test('the dev config loads the same rule files as the compose config, and promtool accepts it', () => {
  expect(generated.rule_files).toEqual(composeRuleFiles());
  expect(generated.rule_files).toEqual([join(COMPOSE_PROMETHEUS_CONFIG, '..', 'alerts.yml')]);
  const file = join(mkdtempSync(join(tmpdir(), 'aigw-prom-dev-')), 'prometheus.yml');
  writeFileSync(file, prometheusConfig(targets, { scrapeInterval: '1s', listen: '127.0.0.1:19090' }));
  const r = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
  expect({ status: r.status, out: r.stdout + r.stderr }).toMatchObject({ status: 0 });
});

describe('the real prometheus', () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      res.end(req.url === '/metrics' ? '# TYPE aigw_probe_total counter\naigw_probe_total 7\n' : '');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  test('starts on a free port, scrapes the relay target, and is gone after close', async () => {
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const prometheus = await startPrometheus(
      { relay: address, control: address, inference: null, pluginServers: {} },
      { port: await freePort(), scrapeInterval: '1s' },
    );
    try {
      const value = await waitFor(
        async () => {
          const body = (await (await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent('aigw_probe_total{job="relay"}')}`)).json()) as {
            data: { result: Array<{ value: [number, string] }> };
          };
          return body.data.result[0]?.value[1];
        },
        15_000,
        'the relay target to be scraped',
      );
      expect(value).toBe('7');
    } finally {
      await prometheus.close();
    }
    expect(() => process.kill(prometheus.pid, 0)).toThrow();
  });
});
