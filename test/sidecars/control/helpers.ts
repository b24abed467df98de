/** Shared by the control tests: a migrated database, signed admin identities, JSON over HTTP. */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Pool } from 'pg';
import type { AdminIdentity } from '../../../lib/admin-identity';
import { runMigrations } from '../../../lib/db/migrate';
import { IDENTITY_HEADER, IDENTITY_SIGNATURE_HEADER, REQUEST_ID_HEADER } from '../../../lib/headers';
import { sha256Hex } from '../../../lib/plan';
import { canonicalTarget } from '../../../lib/request-target';
import { signEnvelope } from '../../../lib/signing';
import type { RequestLogRow } from '../../../lib/store/request-log';
import { startPostgres, type TestPostgres } from '../../harness/stores/postgres';

export const SECRET = 'control-test-secret-0123456789abcdef0123';

export interface TestDb {
  pg: TestPostgres;
  pool: Pool;
  stop(): Promise<void>;
}

export async function startMigratedDb(): Promise<TestDb> {
  const pg = await startPostgres();
  const pool = new Pool({ connectionString: pg.url, max: 5 });
  try {
    await runMigrations(pool);
  } catch (error) {
    await pool.end();
    await pg.stop();
    throw error;
  }
  return {
    pg,
    pool,
    stop: async () => {
      await pool.end();
      await pg.stop();
    },
  };
}

export type Binding = Pick<AdminIdentity, 'method' | 'path' | 'bodySha256'>;

/** A body as `call` sends it. */
const bodyText = (body: unknown): string | undefined => (body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));

/** What an identity for this request binds, as aigw-virtual-key computes it (the target as fetch sends it). */
export function bindingFor(method: string, path: string, body?: unknown): Binding {
  const url = new URL(path, 'http://control');
  return { method, path: canonicalTarget(url.pathname, url.search.slice(1)), bodySha256: sha256Hex(bodyText(body) ?? '') };
}

/** The headers aigw-virtual-key sets after verifying an admin key; bound to GET /admin/keys unless `over` says otherwise. */
export function identityHeaders(
  over: Partial<AdminIdentity> = {},
  opts: { secret?: string; requestId?: string; signedFor?: string } = {},
): Record<string, string> {
  const requestId = opts.requestId ?? randomUUID();
  const identity: AdminIdentity = { keyId: randomUUID(), role: 'admin', expiresAt: Date.now() + 30_000, ...bindingFor('GET', '/admin/keys'), ...over };
  const env = signEnvelope(identity, opts.signedFor ?? requestId, opts.secret ?? SECRET);
  return { [IDENTITY_HEADER]: env.payload, [IDENTITY_SIGNATURE_HEADER]: env.signature, [REQUEST_ID_HEADER]: requestId };
}

export interface JsonResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body the test inspects freely
  body: any;
}

/** One request to the control API; without `headers`, with an admin identity bound to exactly this request. */
export async function call(base: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<JsonResponse> {
  const res = await fetch(base + path, {
    method,
    headers: { ...(headers ?? identityHeaders(bindingFor(method, path, body))), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: bodyText(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/**
 * One request with exactly this request-target on the wire (fetch would normalise it), on its own
 * connection; resolves with the status and the parsed JSON body.
 */
export function rawRequest(base: string, method: string, target: string, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const { hostname, port } = new URL(base);
  const head = [`${method} ${target} HTTP/1.1`, `host: ${hostname}`, 'connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(head.join('\r\n') + '\r\n\r\n'));
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      resolve({ status, body: body ? JSON.parse(body) : null });
    });
  });
}

/** A request-log row as the relay writes one for a plain success; `over` changes what a test is about. */
export function requestLogRow(over: Partial<RequestLogRow> = {}): RequestLogRow {
  return {
    requestId: randomUUID(),
    createdAt: Date.now(),
    keyId: null,
    teamId: null,
    answeredBy: 'relay',
    endpoint: 'chat.completions',
    clientFormat: 'openai',
    model: 'gpt-4o-mini',
    provider: 'openai',
    providerModel: 'gpt-4o-mini',
    attempts: [{ provider: 'openai', model: 'gpt-4o-mini', result: 'ok', status: 200, error_type: null, ms: 8 }],
    status: 200,
    outcome: 'ok',
    errorType: null,
    errorCode: null,
    stream: false,
    firstByteMs: 5,
    durationMs: 10,
    providerMs: 8,
    overheadMs: 2,
    cache: null,
    compression: null,
    traceId: null,
    ...over,
  };
}
