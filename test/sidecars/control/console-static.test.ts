/**
 * GET /console/*: the built web app from its folder, with content types, caching only for hashed
 * names, client-side routes falling back to index.html, the security headers on every answer,
 * and no path (encoded or not, through a symlink or not) reaching a file outside the folder.
 */
import net from 'node:net';
import { CONSOLE_CSP } from '../../../sidecars/control/console/security-headers';
import { NoInvalidator } from '../../../sidecars/control/invalidate';
import { type RunningControl, startControl } from '../../../sidecars/control/server';
import { type ConsoleFolder, consoleConfig, consoleFolder } from './console-fixture';
import { controlTestLog } from './control-under-test';
import { SECRET } from './helpers';

let folder: ConsoleFolder;
let control: RunningControl;
let missing: RunningControl;

// No request reaches the database: a pool that fails loudly if one does.
const pool = { query: () => Promise.reject(new Error('no database in this test')) } as never;

beforeAll(async () => {
  folder = consoleFolder();
  const opts = { host: '127.0.0.1', port: 0, planSecret: SECRET, pool, invalidator: new NoInvalidator(), log: controlTestLog };
  control = await startControl({ ...opts, console: consoleConfig(folder.dir) });
  missing = await startControl({ ...opts, console: consoleConfig(`${folder.dir}-not-built`) });
});

afterAll(async () => {
  await control?.close();
  await missing?.close();
  folder?.remove();
});

/** Exactly this request-target on the wire (fetch would normalise `..`). */
function raw(target: string, method = 'GET'): Promise<{ status: number; head: string; body: string }> {
  const { port } = new URL(control.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(`${method} ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`));
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]), head: text.slice(0, split).toLowerCase(), body: text.slice(split + 4) });
    });
  });
}

test('files with their content types and the security headers; only hashed names are immutable', async () => {
  const cases: Array<[string, string, string]> = [
    ['/console', 'text/html; charset=utf-8', 'no-cache'],
    ['/console/', 'text/html; charset=utf-8', 'no-cache'],
    ['/console/index.html', 'text/html; charset=utf-8', 'no-cache'],
    ['/console/app.js', 'text/javascript; charset=utf-8', 'no-cache'],
    ['/console/app.css', 'text/css; charset=utf-8', 'no-cache'],
    ['/console/assets/chunk-5XKZQ2AB.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
  ];
  for (const [path, type, cache] of cases) {
    const res = await fetch(control.url + path);
    expect([path, res.status]).toEqual([path, 200]);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('cache-control')).toBe(cache);
    expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  }
  expect(await (await fetch(`${control.url}/console/app.js`)).text()).toBe('console.log("app")');
});

test('a client-side route (no extension) is index.html; a missing asset is a 404 with the headers', async () => {
  for (const path of ['/console/keys', '/console/keys/0b8f/edit', '/console/requests?team=x']) {
    const res = await fetch(control.url + path);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>aigw</title>');
  }
  const gone = await fetch(`${control.url}/console/missing.js`);
  expect(gone.status).toBe(404);
  expect(gone.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
});

test('HEAD answers the headers only; other methods are 405', async () => {
  const head = await fetch(`${control.url}/console/app.js`, { method: 'HEAD' });
  expect(head.status).toBe(200);
  expect(head.headers.get('content-length')).toBe(String('console.log("app")'.length));
  expect((await fetch(`${control.url}/console/app.js`, { method: 'POST' })).status).toBe(405);
});

test('no path leaves the console folder', async () => {
  const attempts = [
    '/console/../secret.txt',
    '/console/%2e%2e/secret.txt',
    '/console/%2E%2E%2Fsecret.txt',
    '/console/assets/../../secret.txt',
    '/console/..%5csecret.txt',
    '/console/.%2e/secret.txt',
    '/console/escape.txt',
    '/console//etc/passwd',
    '/console/%2fetc%2fpasswd',
    '/console/app.js%00.html',
    '/console/%zz',
    `/console/${'a/'.repeat(600)}x.js`,
  ];
  for (const target of attempts) {
    const res = await raw(target);
    expect([target, res.status]).toEqual([target, 404]);
    expect(res.body).not.toContain('outside the console folder');
    expect(res.head).toContain(`content-security-policy: ${CONSOLE_CSP.toLowerCase()}`);
  }
});

test('an unbuilt console says so (503), never a crash', async () => {
  const res = await fetch(`${missing.url}/console`);
  expect(res.status).toBe(503);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('console_not_built');
  expect((await fetch(`${missing.url}/console/app.js`)).status).toBe(404);
});
