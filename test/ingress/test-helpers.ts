/** Helpers for the test ingress's own tests: an echo upstream and deck patching. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadDeckFile } from './deck';

export const FIXTURES = join(__dirname, 'fixtures');
export const FIXTURE_PLUGINS = join(FIXTURES, 'plugins');

export interface EchoRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: string;
}

export interface Echo {
  url: string;
  port: number;
  requests: EchoRequest[];
  logs: Array<Record<string, unknown>>;
  /** resolves with the first log report matching `pred` */
  waitLog(pred: (r: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** resolves the /stream handler's final chunk */
  releaseStream(): void;
  /** /stream responses whose connection closed before they ended (a client abort passed on). */
  abortedStreams(): number;
  close(): Promise<void>;
}

export async function startEcho(): Promise<Echo> {
  const requests: EchoRequest[] = [];
  const logs: Array<Record<string, unknown>> = [];
  let release: (() => void) | null = null;
  let releasePromise = new Promise<void>((r) => (release = r));
  let aborted = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/log') {
        logs.push(JSON.parse(body) as Record<string, unknown>);
        res.end('ok');
        return;
      }
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body });
      if (req.url!.includes('/stream')) {
        res.writeHead(200, { 'content-type': 'text/event-stream', via: '1.1 upstream-proxy' });
        res.write('data: first\n\n');
        res.on('close', () => {
          if (!res.writableFinished) aborted++;
        });
        void releasePromise.then(() => {
          res.end('data: last\n\n');
          releasePromise = new Promise<void>((r) => (release = r));
        });
        return;
      }
      if (req.url!.startsWith('/base/slow')) {
        setTimeout(() => res.end('late'), 5000).unref();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'echo' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    logs,
    async waitLog(pred, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = logs.find(pred);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching log report among ${logs.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    releaseStream() {
      release?.();
    },
    abortedStreams: () => aborted,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The fixture deck with its service urls and log_url pointing at the echo server. */
export function fixtureDeck(echoUrl: string): unknown {
  const text = JSON.stringify(loadDeckFile(join(FIXTURES, 'deck.yaml')));
  return JSON.parse(text.split('http://127.0.0.1:9').join(echoUrl));
}
