/**
 * End-to-end tests of the Kong-side test double: real kong-js-pluginserver processes running the
 * fixture plugins, a real echo upstream, HTTP through the ingress.
 */
import { request as undiciRequest } from 'undici';
import { waitFor } from '../wait-for';
import { startIngress } from './index';
import { echoAndIngress, FIXTURE_PLUGINS, fixtureDeck } from './test-helpers';

const t = echoAndIngress((echo) => ({
  deck: fixtureDeck(echo.url),
  pluginsDir: FIXTURE_PLUGINS,
  vaultEnv: { FX_SECRET_VALUE: 's3cret' },
}));

beforeEach(() => {
  t.echo.requests.length = 0;
  t.echo.logs.length = 0;
});

async function get(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; text: string }> {
  const r = await fetch(t.ing.url + path, init);
  return { status: r.status, headers: r.headers, text: await r.text() };
}

function upstreamJson(text: string): { url: string; headers: Record<string, string>; body: string; method: string } {
  return JSON.parse(text) as { url: string; headers: Record<string, string>; body: string; method: string };
}

describe('access phase', () => {
  test('plugins run in descending priority, Kong headers are added both ways', async () => {
    const r = await get('/api/x?a=1');
    expect(r.status).toBe(200);
    const up = upstreamJson(r.text);
    expect(up.url).toBe('/base/x?a=1'); // strip_path + service path /base
    expect(up.headers['x-order']).toBe('fx-first, fx-second'); // 3000 before 2000
    expect(up.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(up.headers['x-forwarded-proto']).toBe('http');
    expect(up.headers['x-forwarded-host']).toBe('127.0.0.1');
    expect(up.headers['x-forwarded-port']).toBe(String(t.ing.port));
    expect(up.headers['x-forwarded-path']).toBe('/api/x');
    expect(up.headers['x-forwarded-prefix']).toBe('/api');
    expect(up.headers['x-real-ip']).toBe('127.0.0.1');
    expect(up.headers['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(up.headers.via).toBe('1.1 kong/3.9.3');
    expect(up.headers.host).toBe(`127.0.0.1:${t.echo.port}`);
    expect(r.headers.get('x-kong-request-id')).toBe(up.headers['x-kong-request-id']);
    expect(r.headers.get('x-kong-upstream-latency')).toMatch(/^\d+$/);
    expect(r.headers.get('x-kong-proxy-latency')).toMatch(/^\d+$/);
    expect(r.headers.get('x-kong-response-latency')).toBeNull();
    expect(r.headers.get('via')).toBe('1.1 kong/3.9.3');
    expect(r.headers.get('server')).toBe('kong/3.9.3');
  });

  test('exit ends access: lower priority plugins skipped, upstream not called, log still runs', async () => {
    const r = await get('/exit');
    expect(r.status).toBe(418);
    expect(JSON.parse(r.text)).toEqual({ stopped: 'by fx-first', empty: {} }); // cjson: empty table -> {}
    expect(r.headers.get('x-exit')).toBe('yes');
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(r.headers.get('x-kong-response-latency')).toMatch(/^\d+$/);
    expect(r.headers.get('x-kong-proxy-latency')).toBeNull();
    expect(r.headers.get('server')).toBe('kong/3.9.3');
    expect(t.echo.requests).toHaveLength(0);
    // no further PDK call was answered after exit (the server keeps the event: no Step)
    const id = r.headers.get('x-kong-request-id');
    const report = await t.echo.waitLog((x) => x.header === id);
    expect(report.status).toBe(418);
    expect(report.source).toBe('exit');
  });

  test('a throwing plugin fails open: request proxied, error logged by the plugin server', async () => {
    const r = await get('/throw');
    expect(r.status).toBe(200);
    expect(upstreamJson(r.text).headers['x-order']).toBe('fx-first, fx-second');
    // The plugin server prints it on its own stderr: wait for the line, not for a time.
    await waitFor(
      () =>
        t.ing.logs.some((l) => l.source === 'fx-first' && l.level === 'info' && /unhandled exception in fx-first\.access.*fx-first boom/.test(l.message))
          ? true
          : undefined,
      10_000,
      "the plugin server's unhandled-exception line",
    );
  });

  test('a PDK call that raises in Kong becomes 500 in access', async () => {
    const r = await get('/raise');
    expect(r.status).toBe(500);
    // flush_delayed_response -> kong.response.error: Kong's default JSON error template
    expect(JSON.parse(r.text)).toEqual({ message: 'An unexpected error occurred', request_id: r.headers.get('x-kong-request-id') });
    expect(t.echo.requests).toHaveLength(0);
    expect(t.ing.logs.some((l) => l.level === 'err' && /body must be a string/.test(l.message))).toBe(true);
    const bad = await get('/bad-status');
    expect(bad.status).toBe(500);
  });

  test('an unknown PDK method answers nil and logs "could not find pdk method"', async () => {
    const r = await get('/unknown-method');
    expect(r.status).toBe(200);
    expect(t.ing.logs.some((l) => l.level === 'err' && l.message === 'could not find pdk method: kong.request.get_nothing_at_all')).toBe(true);
  });
});

describe('log phase', () => {
  test('runs after the client got the response; sees status, ctx.shared and serialize()', async () => {
    const before = Date.now();
    const r = await get('/api/logme?q=1', { headers: { authorization: 'Bearer x', 'x-consumer': 'nobody' } });
    const gotResponseAt = Date.now();
    expect(r.status).toBe(200);
    const report = await t.echo.waitLog((x) => x.header === r.headers.get('x-kong-request-id'));
    expect(report.t as number).toBeGreaterThanOrEqual(before);
    expect(report.status).toBe(200);
    expect(report.header).toBe(r.headers.get('x-kong-request-id'));
    expect(report.source).toBe('service');
    expect(report.reqHeader).toBe('nobody');
    // ctx.shared round-trips through msgpack/Lua: {} -> [], null dropped
    expect(report.shared).toEqual({ saw: 'noop', empty: [], list: [1, 2] });
    expect(report.ngx).toBe(42);
    expect(typeof report.serialized).toBe('string');
    // biome-ignore lint/suspicious/noExplicitAny: Kong's serialized log, inspected freely
    const s = JSON.parse(report.serialized as string) as Record<string, any>;
    expect(s.request.method).toBe('GET');
    expect(s.request.uri).toBe('/api/logme?q=1');
    expect(s.request.url).toBe(`http://127.0.0.1:${t.ing.port}/api/logme?q=1`);
    expect(s.request.querystring).toEqual({ q: '1' });
    expect(s.request.headers.authorization).toBe('REDACTED');
    expect(s.request.id).toBe(r.headers.get('x-kong-request-id'));
    expect(s.response.status).toBe(200);
    expect(s.upstream_uri).toBe('/base/logme?q=1');
    expect(s.route.name).toBe('main');
    expect(s.service.name).toBe('echo');
    expect(s.latencies).toEqual(expect.objectContaining({ kong: expect.any(Number), proxy: expect.any(Number), request: expect.any(Number) }));
    expect(s.client_ip).toBe('127.0.0.1');
    expect(s.source).toBe('upstream');
    expect(s.tries[0]).toEqual(expect.objectContaining({ ip: '127.0.0.1', port: t.echo.port }));
    expect(gotResponseAt).toBeLessThanOrEqual(report.t as number);
  });

  test('log runs for 404 with global plugins only', async () => {
    const r = await get('/nope');
    expect(r.status).toBe(404);
    // kong.response.error (kong/runloop/handler.lua), Kong's default JSON template
    expect(JSON.parse(r.text)).toEqual({ message: 'no Route matched with those values', request_id: r.headers.get('x-kong-request-id') });
    const report = await t.echo.waitLog((x) => x.header === r.headers.get('x-kong-request-id'));
    expect(report.status).toBe(404);
  });
});

describe('proxying', () => {
  test('buffered: a response handler reads raw bytes and replaces the body', async () => {
    const r = await get('/buffered');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-rewritten')).toBe('yes');
    expect(r.headers.get('x-raw-is-buffer')).toBe('true');
    expect(r.text).toContain('"URL":"/BASE/BUFFERED"');
    expect(r.headers.get('x-kong-proxy-latency')).toMatch(/^\d+$/);
  });

  test('streaming: chunks reach the client before the upstream finishes', async () => {
    const res = await undiciRequest(`${t.ing.url}/stream`);
    expect(res.statusCode).toBe(200);
    expect(res.headers.via).toBe('1.1 upstream-proxy, 1.1 kong/3.9.3');
    const it = res.body[Symbol.asyncIterator]();
    const first = await it.next();
    expect(Buffer.from(first.value as Buffer).toString()).toBe('data: first\n\n');
    t.echo.releaseStream();
    let rest = '';
    for (let n = await it.next(); !n.done; n = await it.next()) rest += Buffer.from(n.value as Buffer).toString();
    expect(rest).toBe('data: last\n\n');
  });

  test('upstream connect failure is 502, timeout is 504', async () => {
    const deck = fixtureDeck(t.echo.url) as { services: Array<Record<string, unknown>> };
    const bad = await startIngress({
      deck: {
        _format_version: '3.0',
        services: [
          { name: 'down', url: 'http://127.0.0.1:1', routes: [{ name: 'down', paths: ['/down'] }] },
          { name: 'slow', url: `${t.echo.url}/base`, read_timeout: 300, routes: [{ name: 'slow', paths: ['/slow'], strip_path: false }] },
        ],
      },
      pluginsDir: FIXTURE_PLUGINS,
    });
    try {
      const r1 = await fetch(`${bad.url}/down`);
      expect(r1.status).toBe(502);
      expect(await r1.json()).toEqual({
        message: 'An invalid response was received from the upstream server',
        request_id: r1.headers.get('x-kong-request-id'),
      });
      const r2 = await fetch(`${bad.url}/slow`);
      expect(r2.status).toBe(504);
    } finally {
      await bad.close();
    }
    expect(deck.services.length).toBeGreaterThan(0);
  });
});

describe('request bodies', () => {
  const big = 'x'.repeat(9000); // above the default 8k client_body_buffer_size

  test('get_raw_body returns a Buffer for a small body', async () => {
    const r = await get('/body', { method: 'POST', body: 'hello body' });
    const up = upstreamJson(r.text);
    expect(up.headers['x-body-is-buffer']).toBe('true');
    expect(up.headers['x-body-seen']).toBe('hello body');
    expect(up.body).toBe('hello body');
  });

  test('get_raw_body() raises above client_body_buffer_size (500)', async () => {
    const r = await get('/body', { method: 'POST', body: big });
    expect(r.status).toBe(500);
    expect(t.echo.requests).toHaveLength(0);
  });

  test('get_raw_body(max_allowed_file_size = 0) reads the spooled body', async () => {
    const r = await get('/body-max', { method: 'POST', body: big });
    expect(r.status).toBe(200);
    expect(upstreamJson(r.text).headers['x-body-len']).toBe('9000');
  });

  test('a raised client_body_buffer_size lets get_raw_body() through', async () => {
    const big2 = await startIngress({ deck: fixtureDeck(t.echo.url), pluginsDir: FIXTURE_PLUGINS, clientBodyBufferSize: '10k', vaultEnv: {} });
    try {
      const r = await fetch(`${big2.url}/body`, { method: 'POST', body: big });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { headers: Record<string, string> }).headers['x-body-len']).toBe('9000');
    } finally {
      await big2.close();
    }
  });

  test('set_raw_body is seen by a later plugin and by the upstream, with Content-Length', async () => {
    const r = await get('/setbody', { method: 'POST', body: 'original' });
    const up = upstreamJson(r.text);
    expect(up.headers['x-body-seen']).toBe('replaced-by-first');
    expect(up.body).toBe('replaced-by-first');
    expect(up.headers['content-length']).toBe(String('replaced-by-first'.length));
  });
});

describe('PDK value shapes', () => {
  test('multimap headers/query, Buffer bodies, first header value, undefined for nil', async () => {
    // undici.request keeps repeated headers apart (fetch would join them)
    const r = await undiciRequest(`${t.ing.url}/inspect?a=1&a=2&flag&e=`, {
      method: 'POST',
      headers: ['x-multi', 'one', 'x-multi', 'two', 'content-type', 'text/plain'],
      body: 'raw!',
    });
    expect(r.statusCode).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: the echo's JSON, inspected freely
    const seen = (await r.body.json()) as Record<string, any>;
    expect(seen.query).toEqual({ a: ['1', '2'], flag: [], e: [''] });
    expect(seen.headers['x-multi']).toEqual(['one', 'two']);
    expect(seen.headers['content-type']).toEqual(['text/plain']);
    expect(seen.firstMulti).toBe('one');
    expect(seen.missingIsUndefined).toBe(true);
    expect(seen.bodyIsBuffer).toBe(true);
    expect(seen.body).toBe('raw!');
    expect(seen.method).toBe('POST');
    expect(seen.path).toBe('/inspect');
    expect(seen.pathWithQuery).toBe('/inspect?a=1&a=2&flag&e=');
    expect(seen.rawQuery).toBe('a=1&a=2&flag&e=');
    expect(seen.route.name).toBe('inspect');
    expect(seen.service.name).toBe('echo');
    expect(seen.requestId).toBe(r.headers['x-kong-request-id']);
    expect(seen.upstreamUri).toBe('/base');
    expect(seen.scheme).toBe('http');
    expect(seen.port).toBe(t.ing.port);
    expect(seen.httpVersion).toBe(1.1);
    expect(seen.captures).toEqual({ unnamed: [], named: [] });
  });

  test('regex route captures reach get_uri_captures', async () => {
    const r = await fetch(`${t.ing.url}/items/42`);
    // biome-ignore lint/suspicious/noExplicitAny: the echo's JSON, inspected freely
    const seen = (await r.json()) as Record<string, any>;
    expect(seen.captures).toEqual({ unnamed: { 0: '/items/42', 1: '42' }, named: { id: '42' } });
  });
});

describe('routing', () => {
  test('prefix, strip_path false, methods, wildcard hosts', async () => {
    expect(upstreamJson((await get('/keep/a')).text).url).toBe('/base/keep/a');
    expect((await get('/post')).status).toBe(404);
    expect((await get('/post', { method: 'POST', body: 'x' })).status).toBe(200);
    // fetch cannot set Host; undici.request can
    const status = async (host: string): Promise<number> => {
      const res = await undiciRequest(`${t.ing.url}/h`, { headers: { host } });
      await res.body.dump();
      return res.statusCode;
    };
    expect(await status('api.example.test')).toBe(200);
    expect(await status('example.test')).toBe(404);
    expect(upstreamJson((await get('/api')).text).url).toBe('/base');
  });
});

describe('plugin scoping precedence', () => {
  const tagOf = async (path: string, headers?: Record<string, string>): Promise<string> =>
    upstreamJson((await get(path, { headers })).text).headers['x-second-tag']!;

  test('route > service > global; consumer after authenticate beats route and service', async () => {
    expect(await tagOf('/scoped')).toBe('route');
    expect(await tagOf('/api')).toBe('service');
    expect(await tagOf('/other')).toBe('global');
    expect(await tagOf('/auth')).toBe('service');
    expect(await tagOf('/auth', { 'x-consumer': 'alice' })).toBe('consumer-alice');
    expect(await tagOf('/auth', { 'x-consumer': 'bob' })).toBe('service');
  });

  test('StartInstance config: defaults filled, null for unset, Kong fields added, vault resolved', async () => {
    const up = upstreamJson((await get('/scoped')).text);
    const cfg = JSON.parse(up.headers['x-second-config']!) as Record<string, unknown>;
    expect(cfg).toEqual(
      expect.objectContaining({ tag: 'route', secret: null, read_body: false, max_file_size: null, limits: { rpm: 60 }, tags: [], plugin_instance_name: null }),
    );
    expect(cfg.route_id).toEqual(expect.any(String));
    expect(cfg).not.toHaveProperty('service_id');
    expect(cfg).not.toHaveProperty('consumer_id');
    expect(cfg.__plugin_id).toEqual(expect.any(String));
    expect(cfg.__ws_id).toEqual(expect.any(String));
    expect(cfg.__key__).toBe(`plugins:fx-second:${cfg.route_id as string}::::${cfg.__ws_id as string}`);
    expect(cfg.__seq__).toEqual(expect.any(Number));
    const svc = upstreamJson((await get('/api')).text);
    expect(svc.headers['x-secret']).toBe('s3cret');
  });
});
