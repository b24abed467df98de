/** The request log against a real PostgreSQL: insert, filters, keyset pages, the ledger join, purge, the bounded writer, retention. */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import type { Logger } from '../../../lib/log';
import { insertLedgerRows, type LedgerRow } from '../../../lib/store/ledger';
import {
  getRequestLog,
  insertRequestLogRows,
  listRequestLog,
  MAX_LOGGED_ATTEMPTS,
  purgeRequestLog,
  type RequestLogEntry,
  type RequestLogQuery,
  requestLogCursor,
} from '../../../lib/store/request-log';
import { RequestLogWriter } from '../../../lib/store/request-log-writer';
import { retentionDaysFrom, startRequestLogRetention } from '../../../sidecars/control/request-log-retention';
import { waitFor } from '../../harness/wait-for';
import { requestLogRow as row, startMigratedDb, type TestDb } from '../../sidecars/control/helpers';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let db: TestDb;
beforeAll(async () => {
  db = await startMigratedDb();
});
afterAll(async () => {
  await db?.stop();
});
beforeEach(async () => {
  await db.pool.query('TRUNCATE aigw_request_log, aigw_spend_ledger');
});

/** A billed request's ledger row. */
function ledgerRow(requestId: string, fields: Partial<LedgerRow> = {}): LedgerRow {
  const zero = { promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0, costNano: 0 };
  const who = { keyId: null, teamId: null, userId: null, model: 'gpt-4o-mini', provider: 'openai', providerModel: 'x' };
  return { requestId, ...who, ...zero, status: 200, outcome: 'ok', stream: false, createdAt: new Date(), ...fields };
}

const ids = (entries: RequestLogEntry[]): string[] => entries.map((e) => e.requestId);
const list = (q: Partial<RequestLogQuery> = {}): Promise<RequestLogEntry[]> => listRequestLog(db.pool, { limit: 100, ...q });

describe('request log store', () => {
  test('a row reads back whole; a repeated request id is skipped; attempts are kept to the bound with their count', async () => {
    const attempts = Array.from({ length: MAX_LOGGED_ATTEMPTS + 3 }, (_, i) => ({
      provider: 'p',
      model: `m${i}`,
      result: 'server_error',
      status: 502,
      error_type: 'provider' as const,
      ms: i,
    }));
    const r = row({
      traceId: 'a'.repeat(32),
      cache: 'miss',
      compression: 'compressed',
      attempts,
      status: 502,
      errorType: 'provider',
      errorCode: 'upstream_error',
    });
    expect(await insertRequestLogRows(db.pool, [r, { ...r, status: 200 }])).toBe(1);
    expect(await insertRequestLogRows(db.pool, [{ ...r, status: 201 }])).toBe(0);
    const got = await getRequestLog(db.pool, r.requestId);
    expect(got).toMatchObject({
      status: 502,
      errorType: 'provider',
      errorCode: 'upstream_error',
      traceId: r.traceId,
      cache: 'miss',
      compression: 'compressed',
    });
    expect(got!.attempts).toEqual(attempts.slice(0, MAX_LOGGED_ATTEMPTS));
    expect(got!.attemptCount).toBe(attempts.length);
    // No ledger row (a refusal, a count): no usage, no cost.
    expect(got!.usage).toBeNull();
    expect(got!.costNano).toBeNull();
    expect(await getRequestLog(db.pool, 'no-such-request')).toBeNull();
  });

  test('tokens and cost come from the ledger row of the same request id', async () => {
    const r = row();
    await insertRequestLogRows(db.pool, [r]);
    await insertLedgerRows(db.pool, [
      ledgerRow(r.requestId, { promptTokens: 11, completionTokens: 7, cachedTokens: 2, reasoningTokens: 1, costNano: 12345, usageEstimated: true }),
    ]);
    const got = await getRequestLog(db.pool, r.requestId);
    expect(got!.usage).toEqual({ promptTokens: 11, completionTokens: 7, cachedTokens: 2, reasoningTokens: 1, estimated: true });
    expect(got!.costNano).toBe(12345);
  });

  test('guardrail actions and the template read back; the ledger keeps its own actions; a template filter; the database bounds the column', async () => {
    const templated = row({ guardrailActions: 'pii:redact,response:secrets:block', templateName: 'support', templateVersion: 2 });
    const refused = row({ status: 400, errorType: 'caller', errorCode: 'content_policy_violation', guardrailActions: 'secrets:block' });
    const plain = row();
    await insertRequestLogRows(db.pool, [templated, refused, plain]);
    await insertLedgerRows(db.pool, [
      ledgerRow(templated.requestId, { templateName: 'support', templateVersion: 2, guardrailActions: 'pii:redact,response:secrets:block' }),
    ]);
    expect(await getRequestLog(db.pool, templated.requestId)).toMatchObject({
      guardrailActions: 'pii:redact,response:secrets:block',
      templateName: 'support',
      templateVersion: 2,
    });
    expect(await getRequestLog(db.pool, refused.requestId)).toMatchObject({ guardrailActions: 'secrets:block', templateName: null, templateVersion: null });
    expect(await getRequestLog(db.pool, plain.requestId)).toMatchObject({ guardrailActions: null, templateName: null });
    const { rows } = await db.pool.query('SELECT guardrail_actions, template_name, template_version FROM aigw_spend_ledger WHERE request_id = $1', [
      templated.requestId,
    ]);
    expect(rows).toEqual([{ guardrail_actions: 'pii:redact,response:secrets:block', template_name: 'support', template_version: 2 }]);
    expect(ids(await list({ template: 'support' }))).toEqual([templated.requestId]);
    await expect(insertRequestLogRows(db.pool, [row({ guardrailActions: 'x'.repeat(1025) })])).rejects.toThrow(/check constraint/);
  });

  test('filters: team, key, model, status (exact and class), error type (and none), time range', async () => {
    const team = randomUUID();
    const key = randomUUID();
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const ok = row({ createdAt: t0, teamId: team, keyId: key });
    const limited = row({ createdAt: t0 + 1000, teamId: team, status: 429, errorType: 'policy', errorCode: 'rate_limit_exceeded', model: 'other' });
    const failed = row({ createdAt: t0 + 2000, keyId: key, status: 502, errorType: 'provider' });
    await insertRequestLogRows(db.pool, [ok, limited, failed]);
    expect(ids(await list())).toEqual([failed.requestId, limited.requestId, ok.requestId]);
    expect(ids(await list({ teamId: team }))).toEqual([limited.requestId, ok.requestId]);
    expect(ids(await list({ keyId: key }))).toEqual([failed.requestId, ok.requestId]);
    expect(ids(await list({ model: 'other' }))).toEqual([limited.requestId]);
    expect(ids(await list({ status: { exact: 429 } }))).toEqual([limited.requestId]);
    expect(ids(await list({ status: { from: 400, to: 500 } }))).toEqual([limited.requestId]);
    expect(ids(await list({ status: { from: 500, to: 600 } }))).toEqual([failed.requestId]);
    expect(ids(await list({ errorType: 'provider' }))).toEqual([failed.requestId]);
    expect(ids(await list({ errorType: 'none' }))).toEqual([ok.requestId]);
    expect(ids(await list({ since: new Date(t0 + 1000), until: new Date(t0 + 2000) }))).toEqual([limited.requestId]);
    expect(ids(await list({ teamId: team, errorType: 'policy', status: { exact: 429 } }))).toEqual([limited.requestId]);
  });

  test('keyset pages, newest first, cover every row once, ties on time broken by request id', async () => {
    const at = Date.now();
    // Rows sharing a timestamp: only the id orders them.
    const rows = Array.from({ length: 23 }, (_, i) => row({ createdAt: at - Math.floor(i / 4) * 1000 }));
    await insertRequestLogRows(db.pool, rows);
    const seen: string[] = [];
    let before = null;
    for (let page = 0; page < 10; page++) {
      const got: RequestLogEntry[] = await list({ limit: 5, before });
      if (got.length === 0) break;
      seen.push(...ids(got));
      before = await requestLogCursor(db.pool, got[got.length - 1]!.requestId);
    }
    const expected = [...rows].sort((a, b) => Number(b.createdAt) - Number(a.createdAt) || (a.requestId < b.requestId ? 1 : -1)).map((r) => r.requestId);
    expect(seen).toEqual(expected);
    expect(await requestLogCursor(db.pool, 'unknown')).toBeNull();
  });

  test('purge deletes only rows older than the cut, in bounded batches', async () => {
    const now = Date.now();
    const old = Array.from({ length: 7 }, (_, i) => row({ createdAt: now - 40 * 86_400_000 - i }));
    const recent = [row({ createdAt: now - 86_400_000 }), row({ createdAt: now })];
    await insertRequestLogRows(db.pool, [...old, ...recent]);
    const cut = new Date(now - 30 * 86_400_000);
    // Two batches of 2: four rows this run, the rest on the next ones.
    expect(await purgeRequestLog(db.pool, cut, { batch: 2, maxBatches: 2 })).toBe(4);
    expect(await purgeRequestLog(db.pool, cut, { batch: 2 })).toBe(3);
    expect((await list()).map((e) => e.requestId).sort()).toEqual(recent.map((r) => r.requestId).sort());
  });
});

describe('RequestLogWriter', () => {
  test('batches rows into the table', async () => {
    const writer = new RequestLogWriter(db.pool, quiet, { flushIntervalMs: 10 });
    const rows = [row(), row(), row()];
    for (const r of rows) writer.write(r);
    await waitFor(async () => ((await list()).length === 3 ? true : undefined), 5000, 'the rows');
    expect(writer.dropped).toBe(0);
    await writer.close();
  });

  test('with the database unreachable, the queue stays bounded: rows beyond it are dropped and counted, never thrown', async () => {
    const dead = new Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 200 });
    const writer = new RequestLogWriter(dead, quiet, { flushIntervalMs: 5, maxQueue: 3 });
    for (let i = 0; i < 10; i++) writer.write(row());
    expect(writer.pending).toBe(3);
    expect(writer.dropped).toBe(7);
    await writer.close(300);
    await dead.end();
  });
});

describe('request-log retention', () => {
  test('AIGW_REQUEST_LOG_RETENTION_DAYS: 30 by default, whole days from 1, anything else refused', () => {
    expect(retentionDaysFrom({})).toBe(30);
    expect(retentionDaysFrom({ AIGW_REQUEST_LOG_RETENTION_DAYS: '7' })).toBe(7);
    for (const bad of ['0', '-1', '1.5', 'week', '99999'])
      expect(() => retentionDaysFrom({ AIGW_REQUEST_LOG_RETENTION_DAYS: bad })).toThrow(/AIGW_REQUEST_LOG_RETENTION_DAYS/);
  });

  test('the timer purges rows past the retention and keeps the rest', async () => {
    const now = Date.now();
    const old = row({ createdAt: now - 8 * 86_400_000 });
    const kept = row({ createdAt: now - 6 * 86_400_000 });
    await insertRequestLogRows(db.pool, [old, kept]);
    const retention = startRequestLogRetention({ pool: db.pool, days: 7, log: quiet, intervalMs: 50 });
    try {
      await waitFor(async () => ((await getRequestLog(db.pool, old.requestId)) === null ? true : undefined), 5000, 'the purge');
      expect(await getRequestLog(db.pool, kept.requestId)).not.toBeNull();
    } finally {
      retention.stop();
    }
  });
});
