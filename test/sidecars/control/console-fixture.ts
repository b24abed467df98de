/** Shared by the console tests: a console folder on disk, its config, and cookie-carrying requests. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleConfig } from '../../../sidecars/control/console/config';

export interface ConsoleFolder {
  dir: string;
  /** A file next to the folder, which no request may reach. */
  outside: string;
  remove(): void;
}

export function consoleFolder(): ConsoleFolder {
  const parent = mkdtempSync(join(tmpdir(), 'aigw-console-'));
  const dir = join(parent, 'console');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>aigw</title><script src="/console/app.js"></script>');
  writeFileSync(join(dir, 'app.js'), 'console.log("app")');
  writeFileSync(join(dir, 'app.css'), 'body{}');
  writeFileSync(join(dir, 'assets', 'chunk-5XKZQ2AB.js'), 'export {}');
  const outside = join(parent, 'secret.txt');
  writeFileSync(outside, 'outside the console folder');
  symlinkSync(outside, join(dir, 'escape.txt'));
  return { dir, outside, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

export function consoleConfig(dir: string, over: Partial<ConsoleConfig> = {}): ConsoleConfig {
  return {
    dir,
    sessionTtlSeconds: 3600,
    idleTimeoutSeconds: 3600,
    secureCookie: true,
    loginAttemptsPerMinute: 10,
    links: { kongManagerUrl: 'http://127.0.0.1:8002', grafanaUrl: 'http://127.0.0.1:3000', traceUrlTemplate: 'http://127.0.0.1:16686/trace/{trace_id}' },
    ...over,
  };
}

export interface BrowserResponse {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body the test inspects freely
  body: any;
}

/** What Kong adds on the way to the control API for a browser on http://127.0.0.1:8000. */
export const VIA_KONG = { 'x-forwarded-host': '127.0.0.1', 'x-forwarded-port': '8000', 'x-forwarded-proto': 'http', 'x-real-ip': '192.0.2.10' };
export const SAME_ORIGIN = { origin: 'http://127.0.0.1:8000', 'sec-fetch-site': 'same-origin' };

/** A request as the browser sends it through Kong: no identity, maybe a cookie and a CSRF token. */
export async function browser(
  base: string,
  method: string,
  path: string,
  opts: { cookie?: string; csrf?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<BrowserResponse> {
  // An empty value in opts.headers leaves that header out.
  const all: Record<string, string> = { ...VIA_KONG, ...(SAFE.has(method) ? {} : SAME_ORIGIN), ...opts.headers };
  const headers = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== ''));
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.csrf) headers['x-csrf-token'] = opts.csrf;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, headers: res.headers, text, body };
}
const SAFE = new Set(['GET', 'HEAD']);

/** `aigw_session=<value>` from a Set-Cookie header, as the browser would send it back. */
export function cookieFrom(res: BrowserResponse): string {
  const set = res.headers.get('set-cookie') ?? '';
  return set.split(';')[0]!;
}
