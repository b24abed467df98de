/** GET /metrics (Prometheus) and, when given a health probe, GET /healthz, on loopback only. */
import { createServer } from 'node:http';
import type { Registry } from 'prom-client';

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

export type HealthProbe = () => { serving: boolean } & Record<string, unknown>;

/** `keepsAlive: false` for a listener that must not keep its process running (a plugin server's). */
export function startMetricsListener(port: number, registry: Registry, health?: HealthProbe, keepsAlive = true): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        () => res.writeHead(500).end(),
      );
      return;
    }
    if (health && req.method === 'GET' && req.url === '/healthz') {
      const state = health();
      res.writeHead(state.serving ? 200 : 503, { 'content-type': 'application/json' });
      res.end(JSON.stringify(state));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if (!keepsAlive) {
      server.unref();
      server.on('connection', (socket) => socket.unref());
    }
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
