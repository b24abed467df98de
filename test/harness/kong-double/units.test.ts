/** Unit tests of the test double's pure parts and start-up refusals. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KongSchema } from '../../../lib/kong/schema';
import { HeaderList } from './context';
import { parseDeck } from './deck';
import { ErrorPages, responseType } from './error-pages';
import { startIngress } from './index';
import { checkErrorTemplate, loadKongSettings } from './kong-conf';
import { validatePluginConfig } from './kong-schema';
import { luaPatternToRegExp } from './lua-pattern';
import { minimalEnv, queryPluginInfo } from './plugin-server';
import { normalizePath, Router, upstreamUriV0 } from './router';
import { parseSize } from './size';
import { FIXTURE_PLUGINS } from './test-helpers';
import { resolveReference } from './vault';

describe('discovery', () => {
  test('refuses a plugin directory whose dump is not pure JSON', async () => {
    await expect(queryPluginInfo(join(FIXTURE_PLUGINS, 'fx-dumpfail'), 'fx-dumpfail', minimalEnv({}))).rejects.toThrow(/not pure JSON/);
  });
  test('refuses a Version that is not x.y.z, and a name mismatch', async () => {
    await expect(queryPluginInfo(join(FIXTURE_PLUGINS, 'fx-badversion'), 'fx-badversion', minimalEnv({}))).rejects.toThrow(/x\.y\.z/);
    await expect(queryPluginInfo(join(FIXTURE_PLUGINS, 'fx-first'), 'other-name', minimalEnv({}))).rejects.toThrow(/reports name 'fx-first'/);
  });
  test('reads element [0]: name, version, priority, phases, config schema', async () => {
    const info = await queryPluginInfo(join(FIXTURE_PLUGINS, 'fx-response'), 'fx-response', minimalEnv({}));
    expect(info).toEqual(expect.objectContaining({ name: 'fx-response', version: '1.0.0', priority: 500, phases: ['response'] }));
    expect(info.configSchema[0]).toHaveProperty('mode');
  });
  test('startIngress refuses unknown plugins and invalid configs, and starts nothing', async () => {
    const deck = (plugins: unknown[]): unknown => ({
      _format_version: '3.0',
      services: [{ name: 's', url: 'http://127.0.0.1:1', routes: [{ name: 'r', paths: ['/'] }] }],
      plugins,
    });
    await expect(startIngress({ deck: deck([{ name: 'no-such-plugin' }]), pluginsDir: FIXTURE_PLUGINS })).rejects.toThrow(/not installed/);
    await expect(startIngress({ deck: deck([{ name: 'fx-dumpfail' }]), pluginsDir: FIXTURE_PLUGINS })).rejects.toThrow(/not pure JSON/);
    await expect(startIngress({ deck: deck([{ name: 'fx-second', config: { tag: 5, extra: 1 } }]), pluginsDir: FIXTURE_PLUGINS })).rejects.toThrow(
      /config\.extra: unknown field[\s\S]*config\.tag: expected a string/,
    );
    await expect(startIngress({ deck: deck([{ name: 'fx-second', config: { secret: '{vault://aws/x}' } }]), pluginsDir: FIXTURE_PLUGINS })).rejects.toThrow(
      /vault 'aws' is not emulated/,
    );
  });
});

describe('kong schema', () => {
  const schema: KongSchema = [
    { name: { type: 'string', required: true } },
    { mode: { type: 'string', default: 'a', one_of: ['a', 'b'] } },
    { opt: { type: 'string' } },
    { n: { type: 'integer', between: [1, 10], default: 5 } },
    { ratio: { type: 'number', gt: 0 } },
    { flag: { type: 'boolean', default: false } },
    { list: { type: 'array', elements: { type: 'string', match: '^%a+$' } } },
    { dlist: { type: 'array', elements: { type: 'string' }, default: [] } },
    { uniq: { type: 'set', elements: { type: 'string' } } },
    { map: { type: 'map', keys: { type: 'string' }, values: { type: 'integer' } } },
    { rec: { type: 'record', required: true, fields: [{ x: { type: 'integer', default: 1 } }, { y: { type: 'string' } }] } },
    { optrec: { type: 'record', fields: [{ z: { type: 'integer', default: 2 } }] } },
    { recs: { type: 'array', elements: { type: 'record', fields: [{ k: { type: 'string', default: 'kk' } }] } } },
    { url: { type: 'string', starts_with: 'http', len_max: 20 } },
  ];

  test('fills defaults like Kong: default copies, null for unset, required records expanded', () => {
    const r = validatePluginConfig(schema, { name: 'x', uniq: ['a', 'a', 'b'], recs: [{}] });
    expect(r).toEqual({
      ok: true,
      config: {
        name: 'x',
        mode: 'a',
        opt: null,
        n: 5,
        ratio: null,
        flag: false,
        list: null,
        dlist: [],
        uniq: ['a', 'b'],
        map: null,
        rec: { x: 1, y: null },
        optrec: null,
        recs: [{ k: 'kk' }],
        url: null,
      },
    });
  });

  test('reports Kong-style errors', () => {
    const r = validatePluginConfig(schema, {
      mode: 'c',
      n: 11,
      ratio: 0,
      flag: 'yes',
      list: ['ok', 'no1'],
      map: { a: 1.5 },
      rec: { x: 'one' },
      url: 'ftp://x',
      opt: '',
      bogus: 1,
    });
    expect(r.ok).toBe(false);
    const errors = (r as { errors: string[] }).errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        'bogus: unknown field',
        'name: required field missing',
        'mode: expected one of: a, b',
        'n: value should be between 1 and 10',
        'ratio: value must be greater than 0',
        'flag: expected a boolean',
        'list[2]: invalid value: no1',
        'map.a: expected an integer',
        'rec.x: expected an integer',
        'url: should start with: http',
        'opt: length must be at least 1',
      ]),
    );
  });

  test('explicit null stays null (no default), and referenceable strings skip validators', () => {
    const s: KongSchema = [{ mode: { type: 'string', default: 'a', one_of: ['a'] } }, { secret: { type: 'string', referenceable: true, one_of: ['x'] } }];
    expect(validatePluginConfig(s, { mode: null, secret: '{vault://env/foo}' })).toEqual({ ok: true, config: { mode: null, secret: '{vault://env/foo}' } });
  });

  test('Lua patterns: common subset translated, unsupported items fail loudly', () => {
    expect(luaPatternToRegExp('^%w+%-%d+$').test('abc-12')).toBe(true);
    expect(luaPatternToRegExp('^[%a_][%w_]*$').test('_x1')).toBe(true);
    expect(luaPatternToRegExp('^[%a_][%w_]*$').test('1x')).toBe(false);
    expect(luaPatternToRegExp('^a.-b$').test('axxb')).toBe(true);
    expect(() => luaPatternToRegExp('%b()')).toThrow(/not supported/);
    const r = validatePluginConfig([{ s: { type: 'string', match: '%f[%w]' } }], { s: 'x' });
    expect(r.ok).toBe(false);
  });
});

describe('vault', () => {
  test('env vault: upper-cased, dashes to underscores, json keys; missing -> "" with a warning', () => {
    const warns: string[] = [];
    const env = { MY_SECRET: 'v1', JSON_SECRET: '{"k":"v2"}' };
    expect(resolveReference('{vault://env/my-secret}', env, (m) => warns.push(m))).toBe('v1');
    expect(resolveReference('{vault://env/json-secret/k}', env, (m) => warns.push(m))).toBe('v2');
    expect(resolveReference('{vault://env/absent}', env, (m) => warns.push(m))).toBe('');
    expect(warns).toHaveLength(1);
    expect(() => resolveReference('{vault://hcv/x}', env, () => undefined)).toThrow(/not emulated/);
  });
});

describe('router', () => {
  const deck = parseDeck({
    _format_version: '3.0',
    services: [
      {
        name: 's',
        url: 'http://up:8080/base/',
        routes: [
          { name: 'short', paths: ['/a'] },
          { name: 'long', paths: ['/a/b'] },
          { name: 'regex', paths: ['~/a/\\d+$'], regex_priority: 5 },
          { name: 'get-only', paths: ['/a'], methods: ['GET'] },
          { name: 'host', hosts: ['api.*'], paths: ['/a'] },
          { name: 'nostrip', paths: ['/keep'], strip_path: false },
        ],
      },
    ],
  });
  const router = new Router(deck.routes, deck.services);
  const m = (method: string, path: string, host = 'x') => router.match(method, path, host, 8000);

  test('priority: more match fields first, then regex, then longer prefix', () => {
    expect(m('GET', '/a/x')?.route.name).toBe('get-only');
    expect(m('POST', '/a/x')?.route.name).toBe('short');
    expect(m('POST', '/a/b/c')?.route.name).toBe('long');
    expect(m('POST', '/a/12')?.route.name).toBe('regex');
    expect(m('POST', '/a/x', 'api.example')?.route.name).toBe('host');
    expect(m('POST', '/zzz')).toBeNull();
  });

  test('strip_path and service path joining (path_handling v0)', () => {
    expect(m('POST', '/a/b/c')?.upstreamUri).toBe('/base/c');
    expect(m('POST', '/keep/z')?.upstreamUri).toBe('/base/keep/z');
    expect(upstreamUriV0(true, '', '/a', '/base')).toBe('/base');
    expect(upstreamUriV0(true, '', '/a/', '/base')).toBe('/base/');
    expect(upstreamUriV0(false, '', '/', '/base')).toBe('/base');
    expect(upstreamUriV0(true, 'x', '/ax', '/')).toBe('/x');
  });

  test('path normalization as kong/tools/uri.lua', () => {
    expect(normalizePath('/a//b/./c/../d')).toBe('/a/b/d');
    expect(normalizePath('/%61%2Fb')).toBe('/a%2Fb');
  });
});

test('nginx sizes', () => {
  expect(parseSize('8k')).toBe(8192);
  expect(parseSize('10m')).toBe(10 * 1024 * 1024);
  expect(parseSize(100)).toBe(100);
  expect(() => parseSize('8 kb')).toThrow();
});

describe('error pages (kong/tools/http.lua, kong/error_handlers.lua, kong.response.error)', () => {
  const JSON_T = 'application/json; charset=utf-8';
  test('response type: highest q wins, first on ties, unknown types are JSON', () => {
    expect(responseType(undefined)).toBe(JSON_T);
    expect(responseType('text/html')).toBe('text/html; charset=utf-8');
    expect(responseType('text/*')).toBe('text/plain; charset=utf-8');
    expect(responseType('*/*')).toBe(JSON_T);
    expect(responseType('text/event-stream')).toBe(JSON_T);
    expect(responseType('text/html;q=0.5, application/xml')).toBe('application/xml; charset=utf-8');
    expect(responseType('application/json;q=0, text/plain;q=0.1')).toBe('text/plain; charset=utf-8');
    expect(responseType('text/html;q=0.5;level=1, text/plain;q=0.4')).toBe('text/html; charset=utf-8');
    expect(responseType('text/html, application/json')).toBe('text/html; charset=utf-8');
  });

  test('error handler: Accept, else Content-Type, else error_default_type; 494 is sent as 400; custom JSON template', () => {
    const pages = new ErrorPages({ errorDefaultType: 'text/plain', errorTemplates: { json: '{"e":"%s","id":"%s","pct":"100%%"}' } });
    const h = (...kv: string[]): HeaderList => HeaderList.fromRaw(kv);
    expect(pages.errorHandlerPage(494, h('Accept', 'application/json'), 'rid')).toEqual({
      status: 400,
      contentType: JSON_T,
      body: '{"e":"Request header or cookie too large","id":"rid","pct":"100%"}',
    });
    expect(pages.errorHandlerPage(502, h('Content-Type', 'text/html'), 'rid').contentType).toBe('text/html; charset=utf-8');
    expect(pages.errorHandlerPage(418, h(), 'rid')).toEqual({
      status: 418,
      contentType: 'text/plain; charset=utf-8',
      body: 'The upstream server responded with 418\nrequest_id: rid\n',
    });
    expect(pages.errorHandlerPage(500, h('Accept', 'application/grpc'), 'rid')).toEqual({
      status: 500,
      contentType: JSON_T,
      body: '{"message":"An unexpected error occurred"}',
    });
    expect(pages.errorHandlerPage(500, null, 'rid').contentType).toBe('text/plain; charset=utf-8');
  });

  test('kong.response.error: Accept only (never Content-Type nor error_default_type), explicit type, gRPC', () => {
    const pages = new ErrorPages({ errorDefaultType: 'text/plain', errorTemplates: {} });
    const ct = HeaderList.fromRaw(['Content-Type', 'text/html']);
    expect(pages.pdkErrorPage(403, undefined, undefined, ct, 'rid')).toEqual({
      status: 403,
      contentType: JSON_T,
      body: '{\n  "message":"Forbidden",\n  "request_id":"rid"\n}',
    });
    expect(pages.pdkErrorPage(429, 'slow down', 'text/plain', ct, 'rid').body).toBe('slow down\nrequest_id: rid\n');
    expect(() => pages.pdkErrorPage(400, 'x', 'application/problem+json', ct, 'rid')).toThrow(/bad argument #1 to 'format'/);
    expect(pages.pdkErrorPage(500, 'x', undefined, HeaderList.fromRaw(['Content-Type', 'application/grpc']), 'rid').body).toBe('');
  });

  test('kong.conf: templates beside it, checked like string.format; error_default_type enum', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kong-conf-'));
    try {
      const conf = (text: string): string => {
        writeFileSync(join(dir, 'kong.conf'), text);
        return join(dir, 'kong.conf');
      };
      writeFileSync(join(dir, 'tpl.json'), '{"m":"%s"}');
      const s = loadKongSettings(
        conf('error_template_json = /etc/kong/tpl.json # in the image\nerror_default_type = application/json\nnginx_http_client_max_body_size = 1m\n'),
      );
      expect(s).toEqual({
        errorDefaultType: 'application/json',
        errorTemplates: { json: '{"m":"%s"}' },
        clientBodyBufferSize: 8192,
        clientMaxBodySize: 1024 * 1024,
      });
      expect(() => loadKongSettings(conf('error_template_json = /etc/kong/missing.json\n'))).toThrow(/missing\.json.*does not exist/);
      expect(() => loadKongSettings(conf('error_default_type = application/yaml\n'))).toThrow(/error_default_type must be one of/);
      expect(() => checkErrorTemplate('%s %s %s', 't')).toThrow(/3 %s placeholders/);
      expect(() => checkErrorTemplate('%d', 't')).toThrow(/"%d" is not allowed/);
      expect(() => checkErrorTemplate('100%% %s', 't')).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
