/** Helpers for the test ingress's own tests: an echo upstream and deck patching. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { join } from 'node:path';
import { waitFor } from '../wait-for';
import { drained } from './client-connection';
import { loadDeckFile } from './deck';
import { type Ingress, type IngressOptions, startIngress } from './index';

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
  /** /hold requests (never answered) whose connection was closed by the proxy */
  closedHolds(): number;
  close(): Promise<void>;
}

export async function startEcho(): Promise<Echo> {
  const requests: EchoRequest[] = [];
  const logs: Array<Record<string, unknown>> = [];
  let release: (() => void) | null = null;
  let releasePromise = new Promise<void>((r) => (release = r));
  let aborted = 0;
  let holdsClosed = 0;
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
      if (req.url!.includes('/hold')) {
        res.on('close', () => holdsClosed++);
        return;
      }
      if (req.url!.includes('/flood')) {
        // n chunks of 64 KiB, written as fast as the reader takes them
        const n = Number(new URL(req.url!, 'http://x').searchParams.get('n') ?? '1');
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        void (async () => {
          for (let i = 0; i < n && !res.destroyed; i++) {
            if (!res.write(Buffer.alloc(64 * 1024, 97))) await drained(res);
          }
          res.end();
        })();
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
    waitLog: (pred, timeoutMs = 5000) => waitFor(() => logs.find(pred), timeoutMs, 'a matching log report'),
    releaseStream() {
      release?.();
    },
    abortedStreams: () => aborted,
    closedHolds: () => holdsClosed,
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

export interface RawResponse {
  status: number;
  /** lower-cased names; repeated headers joined with ", " */
  headers: Record<string, string>;
  body: string;
  /** the first line(s) before the final response, e.g. "HTTP/1.1 100 Continue" */
  interim: string[];
}

/**
 * Sends bytes as they are (for requests an HTTP client would refuse to send) and reads one
 * response, framed by Content-Length or by the end of the connection.
 */
export function rawHttp(port: number, request: string | Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const interim: string[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response within ${timeoutMs} ms: ${data.toString('latin1').slice(0, 300)}`));
    }, timeoutMs);
    const parse = (ended: boolean): void => {
      for (;;) {
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) return;
        const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
        const status = Number(statusLine!.split(' ')[1]);
        if (status >= 100 && status < 200) {
          interim.push(statusLine!);
          data = data.subarray(end + 4);
          continue;
        }
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const i = line.indexOf(':');
          const name = line.slice(0, i).trim().toLowerCase();
          const value = line.slice(i + 1).trim();
          headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
        }
        let body: Buffer | null = data.subarray(end + 4);
        if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
        else if (headers['content-length'] !== undefined) {
          const length = Number(headers['content-length']);
          body = body.length >= length ? body.subarray(0, length) : null;
        } else if (!ended) body = null;
        if (body === null) return;
        clearTimeout(timer);
        socket.destroy();
        resolve({ status, headers, body: body.toString('utf8'), interim });
        return;
      }
    };
    socket.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      parse(false);
    });
    socket.on('end', () => parse(true));
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.write(request);
  });
}

/** A complete chunked body, decoded; null while the last chunk has not arrived. */
function dechunk(raw: Buffer): Buffer | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) return null;
    const size = parseInt(raw.subarray(at, eol).toString('latin1'), 16);
    if (size === 0) return Buffer.concat(parts);
    if (raw.length < eol + 2 + size + 2) return null;
    parts.push(raw.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/**
 * For a test file: an echo upstream and an ingress built around it, started before the file's
 * tests and stopped after them. Read `echo` and `ing` inside tests (they are set by then).
 */
export function echoAndIngress(options: (echo: Echo) => IngressOptions): { readonly echo: Echo; readonly ing: Ingress } {
  const started = {} as { echo: Echo; ing: Ingress };
  beforeAll(async () => {
    started.echo = await startEcho();
    started.ing = await startIngress(options(started.echo));
  }, 30_000);
  afterAll(async () => {
    await started.ing?.close();
    await started.echo?.close();
  });
  return started;
}

/** Polls `probe` until it returns something other than undefined (event-based waits for tests). */
