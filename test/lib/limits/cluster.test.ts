// The scripts on a one-node Redis Cluster through ioredis Cluster: Redis refuses a script whose
// keys (declared, or built inside it) are in different slots, so this proves the hash-tag layout.
import type { Cluster } from 'ioredis';
import { BudgetLimiter, budgetSubject } from '../../../lib/limits/budget';
import { ParallelLimiter } from '../../../lib/limits/parallel';
import { RateLimiter } from '../../../lib/limits/rate';
import { startRedisCluster, type TestRedisCluster } from '../../harness/stores/redis-cluster';

let fixture: TestRedisCluster;
let cluster: Cluster;

beforeAll(async () => {
  fixture = await startRedisCluster();
  cluster = fixture.cluster;
});
afterAll(async () => {
  await fixture?.stop();
});

const ANCHOR = '2025-01-01T00:00:00.000Z';
const NOW = Date.parse(ANCHOR) + 1000;

it('budget reserve/settle/refund/status across key and team run in one slot', async () => {
  const budget = new BudgetLimiter(cluster);
  const policy = { maxBudgetNano: 10, budgetDuration: '1d', budgetAnchor: ANCHOR };
  const key = budgetSubject('key', 'ck1', policy, NOW)!;
  const team = budgetSubject('team', 'ct1', policy, NOW)!;
  const r = await budget.reserveWithInit({ requestId: 'cr1', amountNano: 6, subjects: [key, team], ttlMs: 1000, now: NOW }, async () => 0);
  expect(r.ok).toBe(true);
  await budget.reserve({ requestId: 'cr2', amountNano: 2, subjects: [key, team], ttlMs: 1000, now: NOW });
  expect(await budget.settle({ requestId: 'cr1', actualNano: 4, subjects: [key, team], now: NOW + 1 })).toMatchObject({ outcome: 'settled' });
  expect(await budget.refund({ requestId: 'cr2', subjects: [key, team], now: NOW + 1 })).toEqual({ found: true });
  // a sweep builds record keys inside the script: they must be in the scope's slot too
  await budget.reserve({ requestId: 'cr3', amountNano: 1, subjects: [key, team], ttlMs: 10, now: NOW + 2 });
  expect(await budget.status(key, 'ct1', NOW + 100)).toMatchObject({ spentNano: 4, reservedNano: 0 });
});

it('rate check and addTokens across key and team, and parallel leases, run in one slot', async () => {
  const rate = new RateLimiter(cluster);
  const subjects = [
    { kind: 'key' as const, id: 'ck2', rpm: 5, tpm: 100 },
    { kind: 'team' as const, id: 'ct2', rpm: 5, tpm: 100 },
  ];
  expect((await rate.check({ requestId: 'x1', subjects, tokens: 10, now: NOW })).allowed).toBe(true);
  await rate.addTokens(subjects, -5, { admittedAt: NOW, now: NOW + 10 });
  const par = new ParallelLimiter(cluster);
  expect((await par.acquire('x1', { kind: 'key', id: 'ck2', maxParallel: 1 }, 1000, NOW)).acquired).toBe(true);
});

it('scripts reload after SCRIPT FLUSH (NOSCRIPT fallback)', async () => {
  const rate = new RateLimiter(cluster);
  const subjects = [{ kind: 'key' as const, id: 'ck3', rpm: 5, tpm: null }];
  await rate.check({ requestId: 'y1', subjects, tokens: 0, now: NOW });
  await cluster.script('FLUSH');
  expect((await rate.check({ requestId: 'y2', subjects, tokens: 0, now: NOW + 1 })).requests).toMatchObject({ remaining: 3 });
});
