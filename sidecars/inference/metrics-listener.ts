/** GET /metrics (Prometheus) and GET /healthz (200 once serving) on loopback. */
import { createServer } from 'node:http';
import type { InferenceMetrics } from './metrics';

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

export function startMetricsListener(port: number, metrics: InferenceMetrics, health: () => { serving: boolean; models: object }): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      metrics.registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(text);
      });
      return;
    }
    if (req.method === 'GET' && req.url === '/healthz') {
      const state = health();
      res.writeHead(state.serving ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(state));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      resolve({
        url: `http://127.0.0.1:${bound}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
