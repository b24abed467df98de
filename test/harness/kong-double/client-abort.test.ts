/**
 * A client that goes away, as nginx handles it with proxy_ignore_client_abort off (Kong's
 * default): the upstream request is closed, the request ends (499 when nothing was sent yet), and
 * Kong's log phase still runs on the saved data. Streaming never piles up listeners.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { request as undiciRequest } from 'undici';
import { waitFor } from '../wait-for';
import { echoAndIngress, FIXTURE_PLUGINS } from './test-helpers';

/**
 * The most 'close' listeners any ingress response held, read when 'close' fires (the first
 * listener runs before the once() ones remove themselves). A MaxListenersExceededWarning would
 * come at 11; jest's sandboxed `process` does not see Node's warnings, so this measures the cause.
 */
let peakCloseListeners = 0;
const onRequestStart = (message: unknown): void => {
  const res = (message as { response: ServerResponse }).response;
  res.prependListener('close', () => {
    peakCloseListeners = Math.max(peakCloseListeners, res.listenerCount('close'));
  });
};

beforeAll(() => subscribe('http.server.request.start', onRequestStart));
afterAll(() => unsubscribe('http.server.request.start', onRequestStart));

const t = echoAndIngress((echo) => ({
  deck: {
    _format_version: '3.0',
    services: [
      {
        name: 'echo',
        url: echo.url,
        read_timeout: 60_000, // the upstream never answers /hold: only the client abort may end it
        routes: [
          { name: 'all', paths: ['/'], strip_path: false, response_buffering: false },
          { name: 'slow-exit', paths: ['/slow-exit'], plugins: [{ name: 'fx-first', config: { mode: 'slow-exit', log_url: `${echo.url}/log` } }] },
        ],
      },
    ],
    plugins: [{ name: 'fx-first', config: { mode: 'noop', log_url: `${echo.url}/log` } }],
  },
  pluginsDir: FIXTURE_PLUGINS,
}));

/** The fixture plugin's log report for the request whose uri is `uri`. */
function logReportFor(uri: string): Promise<Record<string, unknown>> {
  return t.echo.waitLog((r) => typeof r.serialized === 'string' && (JSON.parse(r.serialized) as { request: { uri: string } }).request.uri === uri, 10_000);
}

test('a client that leaves before the upstream answered: upstream connection closed, log runs with 499', async () => {
  const closedBefore = t.echo.closedHolds();
  const controller = new AbortController();
  const pending = fetch(`${t.ing.url}/hold?case=early`, { signal: controller.signal }).catch((e: Error) => e);
  await waitFor(() => t.echo.requests.some((r) => r.url === '/hold?case=early') || undefined, 10_000, 'the upstream to get the request');
  controller.abort();
  expect(await pending).toHaveProperty('name', 'AbortError');

  await waitFor(() => t.echo.closedHolds() > closedBefore || undefined, 10_000, 'the upstream connection to close');
  const report = await logReportFor('/hold?case=early');
  expect(report.status).toBe(499);
  expect(report.source).toBe('service'); // Kong had decided to proxy (KONG_PROXIED)
  expect((JSON.parse(report.serialized as string) as { response: { status: number } }).response.status).toBe(499);
});

test('a client that leaves while a plugin is in access: the exit is still logged', async () => {
  const controller = new AbortController();
  const pending = fetch(`${t.ing.url}/slow-exit?case=access`, { signal: controller.signal }).catch((e: Error) => e);
  await t.echo.waitLog((r) => r.accessStarted === '/slow-exit');
  controller.abort();
  expect(await pending).toHaveProperty('name', 'AbortError');
  const report = await logReportFor('/slow-exit?case=access');
  expect(report.status).toBe(429);
  expect(report.source).toBe('exit');
  expect(t.echo.requests.some((r) => r.url.includes('case=access'))).toBe(false);
});

test('a client that leaves while sending its body: no upstream request, log runs with 400', async () => {
  const socket = connect(t.ing.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  socket.write('POST /upload?case=cut HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly a part');
  socket.destroy();
  const report = await logReportFor('/upload?case=cut');
  expect(report.status).toBe(400); // ngx_http_request_body.c: "client prematurely closed connection"
  expect(t.echo.requests.some((r) => r.url.includes('case=cut'))).toBe(false);
});

test('a client that leaves mid-stream: upstream connection closed, log runs with the status sent', async () => {
  const abortedBefore = t.echo.abortedStreams();
  const res = await undiciRequest(`${t.ing.url}/stream?case=mid`);
  const it = res.body[Symbol.asyncIterator]();
  expect(Buffer.from((await it.next()).value as Buffer).toString()).toBe('data: first\n\n');
  res.body.destroy();
  await waitFor(() => t.echo.abortedStreams() > abortedBefore || undefined, 10_000, 'the upstream stream to be closed');
  const report = await logReportFor('/stream?case=mid');
  expect(report.status).toBe(200); // bytes were sent: ngx_http_terminate_request keeps the status
});

test('streaming a large body under backpressure adds no listener per wait', async () => {
  peakCloseListeners = 0;
  const res = await undiciRequest(`${t.ing.url}/flood?n=48`);
  let received = 0;
  for await (const chunk of res.body) {
    received += (chunk as Buffer).length;
    await new Promise((r) => setImmediate(r)); // a slow reader: the ingress must wait for 'drain'
  }
  expect(received).toBe(48 * 64 * 1024);
  await logReportFor('/flood?n=48');
  expect(peakCloseListeners).toBeGreaterThan(0);
  expect(peakCloseListeners).toBeLessThan(5);
});

test('a client that leaves while a large stream waits on backpressure: log runs, no warning', async () => {
  const res = await undiciRequest(`${t.ing.url}/flood?n=4000`);
  const it = res.body[Symbol.asyncIterator]();
  await it.next();
  res.body.destroy();
  const report = await logReportFor('/flood?n=4000');
  expect(report.status).toBe(200);
  expect(peakCloseListeners).toBeLessThan(5);
});
