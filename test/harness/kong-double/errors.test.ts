/**
 * Errors Kong answers itself, rendered as Kong 3.9.3 renders them with the repository's kong.conf
 * (error_template_json in OpenAI's shape, error_default_type = application/json): upstream
 * failures and Lua errors through kong/error_handlers.lua, runloop and plugin errors through
 * kong.response.error, and the requests nginx refuses before any phase (malformed, too large,
 * TRACE/CONNECT, no Host). Also `Expect: 100-continue`, which nginx answers itself.
 */

import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { REPO_ROOT } from '../repo-root';
import { echoAndIngress, FIXTURE_PLUGINS, rawHttp } from './test-helpers';

const KONG_CONF = join(REPO_ROOT, 'kong', 'kong.conf');
const JSON_TYPE = 'application/json; charset=utf-8';

const t = echoAndIngress((echo) => ({
  deck: {
    _format_version: '3.0',
    services: [
      { name: 'down', url: 'http://127.0.0.1:1', routes: [{ name: 'down', paths: ['/down'] }] },
      {
        name: 'echo',
        url: `${echo.url}/base`,
        routes: [
          { name: 'echo', paths: ['/echo'] },
          { name: 'raise', paths: ['/raise'], plugins: [{ name: 'fx-first', config: { mode: 'raise' } }] },
        ],
      },
    ],
    plugins: [{ name: 'fx-first', config: { mode: 'noop', log_url: `${echo.url}/log` } }],
  },
  pluginsDir: FIXTURE_PLUGINS,
  kongConf: KONG_CONF,
}));

/** Kong's message in the repository's template, with the response's request id. */
function openAIError(message: string, requestId: string | null | undefined): unknown {
  return { error: { message, type: 'gateway_error', code: null, param: null, request_id: requestId } };
}

describe('error pages in the error template', () => {
  test('502 from an unreachable upstream (error handler): OpenAI shape, request id, Kong headers', async () => {
    const r = await fetch(`${t.ing.url}/down`, { headers: { accept: 'application/json' } });
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toBe(JSON_TYPE);
    expect(await r.json()).toEqual(openAIError('An invalid response was received from the upstream server', r.headers.get('x-kong-request-id')));
    expect(r.headers.get('x-kong-proxy-latency')).toMatch(/^\d+$/);
  });

  test('the error handler picks the type from Accept, and only JSON has the custom template', async () => {
    const r = await fetch(`${t.ing.url}/down`, { headers: { accept: 'text/html' } });
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await r.text()).toContain(
      `<p>An invalid response was received from the upstream server.</p>\n    <p>request_id: ${r.headers.get('x-kong-request-id')}</p>`,
    );
  });

  test('404 no route and the 500 of a plugin that raised (kong.response.error): OpenAI shape', async () => {
    const noRoute = await fetch(`${t.ing.url}/nowhere`);
    expect(noRoute.status).toBe(404);
    expect(noRoute.headers.get('content-type')).toBe(JSON_TYPE);
    expect(await noRoute.json()).toEqual(openAIError('no Route matched with those values', noRoute.headers.get('x-kong-request-id')));
    const raised = await fetch(`${t.ing.url}/raise`, { method: 'POST', body: 'x' });
    expect(raised.status).toBe(500);
    expect(await raised.json()).toEqual(openAIError('An unexpected error occurred', raised.headers.get('x-kong-request-id')));
  });
});

describe('requests nginx refuses, answered by Kong', () => {
  function expectRefused(r: Awaited<ReturnType<typeof rawHttp>>, status: number, message: string): void {
    expect(r.status).toBe(status);
    expect(r.headers['content-type']).toBe(JSON_TYPE); // error_default_type: the request said nothing
    expect(r.headers.connection).toBe('close');
    expect(r.headers.server).toBe('kong/3.9.3');
    expect(r.headers['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.parse(r.body)).toEqual(openAIError(message, r.headers['x-kong-request-id']));
  }

  test('a request Node cannot parse: 400 with the templated body, not an empty one', async () => {
    expectRefused(await rawHttp(t.ing.port, 'GET /echo HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'), 400, 'Bad request');
    expectRefused(await rawHttp(t.ing.port, 'GET /echo HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'), 400, 'Bad request');
  });

  test('a header line over 8k is 494, sent as 400; a request line over 8k is 414; so are bigger ones Node refuses', async () => {
    const big = 'a'.repeat(10 * 1024);
    expectRefused(await rawHttp(t.ing.port, `GET /echo HTTP/1.1\r\nHost: x\r\nX-Large: ${big}\r\n\r\n`), 400, 'Request header or cookie too large');
    expectRefused(await rawHttp(t.ing.port, `GET /echo?q=${big} HTTP/1.1\r\nHost: x\r\n\r\n`), 414, 'URI too long');
    const huge = 'a'.repeat(40 * 1024);
    expectRefused(await rawHttp(t.ing.port, `GET /echo HTTP/1.1\r\nHost: x\r\nX-Huge: ${huge}\r\n\r\n`), 400, 'Request header or cookie too large');
    expectRefused(await rawHttp(t.ing.port, `GET /echo?q=${huge} HTTP/1.1\r\nHost: x\r\n\r\n`), 414, 'URI too long');
  });

  test('HTTP/1.1 without Host: 400; TRACE and CONNECT: 405 (type from Accept); the log phase runs', async () => {
    expectRefused(await rawHttp(t.ing.port, 'GET /echo HTTP/1.1\r\n\r\n'), 400, 'Bad request');
    expectRefused(await rawHttp(t.ing.port, 'CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n'), 405, 'Method not allowed');
    const trace = await rawHttp(t.ing.port, 'TRACE /echo?case=trace HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n');
    expect(trace.status).toBe(405);
    expect(trace.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(trace.body).toBe(`Method not allowed\nrequest_id: ${trace.headers['x-kong-request-id']}\n`);
    const report = await t.echo.waitLog((r) => typeof r.serialized === 'string' && r.serialized.includes('case=trace'));
    expect(report.status).toBe(405);
    expect(report.source).toBe('error');
  });

  test('a Content-Length over client_max_body_size (10m in kong.conf): 413 before the body is sent', async () => {
    const r = await rawHttp(t.ing.port, `POST /echo?case=413 HTTP/1.1\r\nHost: x\r\nContent-Length: ${11 * 1024 * 1024}\r\n\r\n`);
    expectRefused(r, 413, 'Payload too large');
    expect(t.echo.requests.some((q) => q.url.includes('case=413'))).toBe(false);
  });
});

describe('Expect: 100-continue', () => {
  test('a 2 MB JSON upload (curl sends Expect above 1 MB): 100 Continue from the ingress, Expect not passed upstream', async () => {
    const body = Buffer.from(JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(2 * 1024 * 1024) }] }));
    let continued = false;
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: t.ing.port,
        method: 'POST',
        path: '/echo/upload',
        headers: { 'content-type': 'application/json', 'content-length': body.length, expect: '100-continue' },
      });
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
    });
    expect(status).toBe(200);
    expect(continued).toBe(true);
    const seen = JSON.parse(text) as { headers: Record<string, string>; body: string };
    expect(seen.headers.expect).toBeUndefined();
    expect(seen.body.length).toBe(body.length);
  });

  test('an expectation other than 100-continue is ignored, as nginx does (Node would answer 417)', async () => {
    const r = await rawHttp(t.ing.port, 'POST /echo HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nContent-Length: 2\r\n\r\nhi');
    expect(r.status).toBe(200);
    expect(r.interim).toEqual([]);
    expect((JSON.parse(r.body) as { headers: Record<string, string> }).headers.expect).toBeUndefined();
  });
});
