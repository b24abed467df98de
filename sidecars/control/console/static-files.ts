/**
 * GET /console and /console/*: the built web app. A path names a file under the console folder
 * or nothing: `..`, `.` and empty segments, backslashes, NUL and symlinks out of the folder are
 * refused before the filesystem is asked. A path without an extension that names no file is a
 * client-side route: index.html. Only content-hashed file names are cached as immutable.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { ApiError } from '../api-error';
import { SECURITY_HEADERS } from './security-headers';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** esbuild's `[name]-[hash]` (8 base32 characters) or a longer hex/base64url digest. */
const HASHED_NAME = /[-.](?=[A-Za-z0-9_]*[0-9])[A-Za-z0-9_]{8,}\.[a-z0-9]+$/;
const MAX_PATH = 1024;

const notFound = (path: string): ApiError => new ApiError(404, `Unknown path ${path}`, 'unknown_url');

/** The file's path relative to the console folder, or null for anything that could leave it. */
export function consoleRelativePath(path: string): string[] | null {
  if (path.length > MAX_PATH) return null;
  const rest = path === '/console' ? '' : path.slice('/console/'.length);
  if (rest === '') return [];
  const segments: string[] = [];
  for (const raw of rest.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === '' || segment === '.' || segment === '..' || /[\\/\0]/.test(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

async function fileIn(root: string, segments: string[]): Promise<string | null> {
  const candidate = join(root, ...segments);
  try {
    const real = await realpath(candidate);
    const realRoot = await realpath(root);
    if (real !== realRoot && !real.startsWith(realRoot + sep)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

export async function serveConsoleFile(root: string, method: string, path: string, res: ServerResponse): Promise<void> {
  if (method !== 'GET' && method !== 'HEAD') throw new ApiError(405, `${method} is not allowed on ${path}`, 'method_not_allowed');
  const segments = consoleRelativePath(path);
  if (segments === null) throw notFound(path);
  const named = segments.length ? await fileIn(root, segments) : null;
  // A client-side route (no extension) falls back to the app; a missing asset stays a 404.
  const last = segments[segments.length - 1] ?? '';
  const file = named ?? (extname(last) === '' ? await fileIn(root, ['index.html']) : null);
  if (!file) {
    if (extname(last) === '') throw new ApiError(503, 'The console is not built: run `make build` (or set AIGW_CONSOLE_DIR)', 'console_not_built');
    throw notFound(path);
  }
  const { size } = await stat(file);
  const immutable = file === named && HASHED_NAME.test(last);
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(file);
    stream.on('error', reject);
    res.on('close', resolve);
    stream.pipe(res);
  });
}
