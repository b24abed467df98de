/**
 * The overview's figures come from one snapshot: a ledger row committed while its queries run is
 * in all of them or in none. How it can fail: queries on separate connections, so the top keys
 * list a key whose spend the totals do not count (a console showing a key on top with $0 spent).
 */
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { insertLedgerRows, type LedgerRow } from '../../../lib/store/ledger';
import { overview } from '../../../lib/store/overview';
import { startMigratedDb, type TestDb } from '../../sidecars/control/helpers';

let db: TestDb;
beforeAll(async () => {
  db = await startMigratedDb();
});
afterAll(async () => {
  await db?.stop();
});

function ledgerRow(keyId: string, costNano: number): LedgerRow {
  const zero = { promptTokens: 1, completionTokens: 1, cachedTokens: 0, reasoningTokens: 0 };
  const who = { teamId: null, userId: null, model: 'gpt-4o-mini', provider: 'openai', providerModel: 'x' };
  return { requestId: randomUUID(), keyId, ...who, ...zero, costNano, status: 200, outcome: 'ok', stream: false, createdAt: new Date() };
}

type QueryFn = (text: unknown, params?: unknown) => Promise<unknown>;
type AnyFunction = (...args: unknown[]) => unknown;

/**
 * A pool whose first data query (on a connection of its own or a transaction's) is followed by a
 * committed insert from another connection; every other data query waits for that insert. Queries
 * that do not share the first one's snapshot therefore see the new row.
 */
function poolWithAWriteBetweenQueries(pool: Pool, write: () => Promise<void>): Pool {
  let first = true;
  let release!: () => void;
  const written = new Promise<void>((resolve) => {
    release = resolve;
  });
  const control = /^\s*(BEGIN|COMMIT|ROLLBACK|SET)\b/i;
  const wrap =
    (query: QueryFn): QueryFn =>
    async (text, params) => {
      const sql = typeof text === 'string' ? text : (text as { text: string }).text;
      if (control.test(sql)) return query(text, params);
      if (first) {
        first = false;
        const result = await query(text, params);
        await write();
        release();
        return result;
      }
      await written;
      return query(text, params);
    };
  const poolQuery = wrap(pool.query.bind(pool) as QueryFn);
  return new Proxy(pool, {
    get(target, property) {
      if (property === 'query') return poolQuery;
      if (property === 'connect')
        return async () => {
          const client = await target.connect();
          const clientQuery = wrap(client.query.bind(client) as QueryFn);
          return new Proxy(client, {
            get: (c, p) => (p === 'query' ? clientQuery : typeof (c as never)[p] === 'function' ? ((c as never)[p] as AnyFunction).bind(c) : (c as never)[p]),
          }) as PoolClient;
        };
      const value = (target as never)[property];
      return typeof value === 'function' ? (value as AnyFunction).bind(target) : value;
    },
  });
}

test('a ledger row committed between its queries is in every figure or in none', async () => {
  await db.pool.query('TRUNCATE aigw_request_log, aigw_spend_ledger');
  const early = randomUUID();
  const late = randomUUID();
  await insertLedgerRows(db.pool, [ledgerRow(early, 100)]);
  const racing = poolWithAWriteBetweenQueries(db.pool, async () => {
    await insertLedgerRows(db.pool, [ledgerRow(late, 50)]);
  });
  const now = Date.now();
  const o = await overview(racing, { since: new Date(now - 3_600_000), until: new Date(now + 60_000), bucket: 'hour', top: 10 });
  const topSpend = o.top.keys.reduce((sum, k) => sum + k.spendNano, 0);
  const topRequests = o.top.keys.reduce((sum, k) => sum + k.requests, 0);
  const seriesSpend = o.series.reduce((sum, p) => sum + p.spendNano, 0);
  expect({ totals: o.spendNano, top: topSpend, series: seriesSpend }).toEqual({ totals: o.spendNano, top: o.spendNano, series: o.spendNano });
  expect(topRequests).toBe(o.billedRequests);
  // The snapshot is the first query's: the late row is in none of them.
  expect(o.top.keys.map((k) => k.id)).toEqual([early]);
});
