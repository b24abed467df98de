/** A plugin server's metrics: the port it takes from AIGW_PLUGIN_METRICS_PORTS, and its loopback listener. */
import { createServer } from 'node:net';
import { pluginMetricsPort, pluginServerRegistry } from '../../../lib/metrics/plugin-server';
import { waitFor } from '../../harness/wait-for';

test.each([
  ['aigw-semantic-cache=8791', 8791],
  [' aigw-virtual-key=8790 , aigw-semantic-cache = 8791 ', 8791],
  ['aigw-virtual-key=8790', null],
  ['aigw-semantic-cache=0', null],
  ['aigw-semantic-cache=70000', null],
  ['aigw-semantic-cache=80a', null],
  ['aigw-semantic-cache', null],
  [undefined, null],
])('%p gives aigw-semantic-cache port %p', (spec, port) => {
  expect(pluginMetricsPort(spec, 'aigw-semantic-cache')).toBe(port);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

test('the plugin named in the variable serves its registry, with process metrics, on loopback', async () => {
  const port = await freePort();
  const registry = pluginServerRegistry('fx-metrics-plugin', { AIGW_PLUGIN_METRICS_PORTS: `other=1,fx-metrics-plugin=${port}` });
  expect(pluginServerRegistry('fx-metrics-plugin')).toBe(registry); // one per process
  let text = '';
  await waitFor(
    async () => {
      text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
        (r) => r.text(),
        () => '',
      );
      return text !== '';
    },
    5000,
    'the metrics listener',
  );
  expect(text).toMatch(/nodejs_eventloop_lag_seconds/);
  expect(text).toMatch(/process_resident_memory_bytes/);
});

test('a port already taken: the registry still works, nothing throws', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const registry = pluginServerRegistry('fx-busy-plugin', { AIGW_PLUGIN_METRICS_PORTS: `fx-busy-plugin=${port}` });
    expect(await registry.metrics()).toMatch(/process_cpu_seconds_total/);
  } finally {
    await new Promise((r) => blocker.close(r));
  }
});
