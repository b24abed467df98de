// Parallel-request leases against a real redis-server.
import { ParallelLimiter, type ParallelSubject } from '../../../lib/limits/parallel';
import { type RedisFixture, redisFixture } from './fixture';

const T0 = 1_750_000_000_000;
let fx: RedisFixture;
let par: ParallelLimiter;
let seq = 0;
const subj = (maxParallel: number | null): ParallelSubject => ({ kind: 'key', id: `k-${++seq}`, maxParallel });

beforeAll(async () => {
  fx = await redisFixture();
  par = new ParallelLimiter(fx.redis);
});
afterAll(async () => fx?.close());

it('holds at most max leases; release frees a slot; both are idempotent', async () => {
  const s = subj(2);
  expect(await par.acquire('a', s, 60_000, T0)).toEqual({ acquired: true, active: 1, retryAfterMs: null });
  expect(await par.acquire('b', s, 60_000, T0 + 10)).toEqual({ acquired: true, active: 2, retryAfterMs: null });
  expect(await par.acquire('c', s, 60_000, T0 + 20)).toEqual({ acquired: false, active: 2, retryAfterMs: 60_000 - 20 });
  // re-acquiring a held lease renews it and takes no new slot
  expect(await par.acquire('b', s, 60_000, T0 + 30)).toEqual({ acquired: true, active: 2, retryAfterMs: null });
  expect(await par.release('a', s)).toBe(true);
  expect(await par.release('a', s)).toBe(false);
  expect(await par.active(s, T0 + 40)).toBe(1);
  expect((await par.acquire('c', s, 60_000, T0 + 40)).acquired).toBe(true);
  expect((await par.acquire('d', s, 60_000, T0 + 50)).acquired).toBe(false);
});

it("a crashed node's leases expire", async () => {
  const s = subj(1);
  await par.acquire('crashed', s, 5_000, T0);
  expect((await par.acquire('next', s, 5_000, T0 + 4_999)).acquired).toBe(false);
  expect(await par.acquire('next', s, 5_000, T0 + 5_000)).toEqual({ acquired: true, active: 1, retryAfterMs: null });
  expect(await par.release('crashed', s)).toBe(false);
});

it('a renewed lease outlives its first expiry', async () => {
  const s = subj(1);
  await par.acquire('long', s, 5_000, T0);
  await par.acquire('long', s, 5_000, T0 + 4_000);
  expect((await par.acquire('other', s, 5_000, T0 + 6_000)).acquired).toBe(false);
  expect((await par.acquire('other', s, 5_000, T0 + 9_000)).acquired).toBe(true);
});

it('50 concurrent acquires from separate connections get exactly max leases', async () => {
  const s = subj(5);
  const conns = fx.connections(5).map((c) => new ParallelLimiter(c));
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => conns[i % 5].acquire(`r${i}`, s, 60_000, T0)));
  expect(results.filter((r) => r.acquired)).toHaveLength(5);
  expect(await par.active(s, T0)).toBe(5);
});

it('no limit: always acquired, nothing recorded', async () => {
  const s = subj(null);
  expect(await par.acquire('x', s, 1000, T0)).toEqual({ acquired: true, active: 0, retryAfterMs: null });
  expect(await par.active(s, T0)).toBe(0);
});
