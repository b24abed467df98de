/**
 * Commands for a request that has been answered must never take effect later. A Redis that
 * stalls (SIGSTOP: connections stay open, nothing is answered) makes a lease acquire, a rate check
 * or a budget reservation time out after the command was sent: the request is refused, and the
 * command still runs when Redis resumes. The caller queues the matching undo, which is retried
 * until Redis answers and is safe in either order with the late command.
 *
 * How it can fail: without the undo (or with an undo that is not order-independent) the late
 * lease / reservation / request stays counted after Redis returns: a key with max_parallel 1 is
 * locked out until its lease expires (11 minutes with the old default), a budget stays reserved.
 */
import type Redis from 'ioredis';
import { BudgetLimiter } from '../../../lib/limits/budget';
import { Eventually } from '../../../lib/limits/eventually';
import { ParallelLimiter } from '../../../lib/limits/parallel';
import { RateLimiter } from '../../../lib/limits/rate';
import { whenReady } from '../../../lib/limits/script';
import { closeStores, redisFor } from '../../../lib/store-clients';
import { startRedis, type TestRedis } from '../../harness/stores/redis';

let server: TestRedis;
let redis: Redis;
let seq = 0;
const id = (what: string): string => `${what}-${++seq}-${Date.now()}`;

beforeAll(async () => {
  server = await startRedis();
  redis = redisFor(server.url);
  await whenReady(redis);
});
afterAll(async () => {
  await closeStores();
  await server?.stop();
});

/**
 * Runs `during` with Redis frozen, resumes it, and waits until the undos went through. Callers
 * run each script once before: a script Redis has cached is sent by EVALSHA and runs late, as in
 * production (a first, uncached EVALSHA would only come back NOSCRIPT).
 */
async function stalled(during: () => Promise<void>, undo: Eventually): Promise<void> {
  await server.pause!();
  try {
    await during();
  } finally {
    await server.resume!();
  }
  await undo.settled();
}

const quiet = { log: { debug() {}, info() {}, warn() {}, error() {} } };

it('a lease acquired by a command that timed out during a stall is released once Redis resumes', async () => {
  const par = new ParallelLimiter(redis);
  const undo = new Eventually({ ...quiet, baseDelayMs: 50 });
  const subject = { kind: 'key' as const, id: id('par'), maxParallel: 1 };
  const request = id('req');
  await par.acquire(id('warm'), { ...subject, id: id('warm') }, 1_000);
  await stalled(async () => {
    await expect(par.acquire(request, subject, 600_000)).rejects.toThrow(/timed out/i);
    undo.run('cancel lease', () => par.cancel(request, subject, 600_000), Date.now() + 600_000);
  }, undo);
  expect(await par.active(subject)).toBe(0);
  expect((await par.acquire(id('next'), subject, 600_000)).acquired).toBe(true);
}, 20_000);

it('a cancellation that runs before the late acquire still wins', async () => {
  const par = new ParallelLimiter(redis);
  const subject = { kind: 'key' as const, id: id('par'), maxParallel: 1 };
  const request = id('req');
  expect(await par.cancel(request, subject, 60_000)).toBe(false);
  expect(await par.acquire(request, subject, 60_000)).toMatchObject({ acquired: false });
  expect(await par.active(subject)).toBe(0);
  expect((await par.acquire(id('next'), subject, 60_000)).acquired).toBe(true);
});

it('extend keeps a held lease and never re-takes a released one', async () => {
  const par = new ParallelLimiter(redis);
  const subject = { kind: 'key' as const, id: id('par'), maxParallel: 1 };
  const request = id('req');
  const t0 = Date.now();
  await par.acquire(request, subject, 1_000, t0);
  expect(await par.extend(request, subject, 60_000, t0 + 500)).toBe(true);
  expect((await par.acquire(id('other'), subject, 1_000, t0 + 2_000)).acquired).toBe(false);
  await par.release(request, subject);
  expect(await par.extend(request, subject, 60_000, t0 + 2_500)).toBe(false);
  expect(await par.active(subject, t0 + 2_500)).toBe(0);
});

it('a budget reservation that timed out during a stall is refunded, and a late reserve reserves nothing', async () => {
  const budget = new BudgetLimiter(redis);
  const undo = new Eventually({ ...quiet, baseDelayMs: 50 });
  const now = Date.now();
  const subject = { kind: 'key' as const, id: id('budget'), maxNano: 1_000, periodStart: now - 1000, periodEnd: null };
  await budget.initWindow(subject, 0, null, now);
  const request = id('req');
  await budget.reserve({ requestId: id('warm'), amountNano: 1, subjects: [subject], ttlMs: 1 });
  await stalled(async () => {
    await expect(budget.reserve({ requestId: request, amountNano: 600, subjects: [subject], ttlMs: 600_000 })).rejects.toThrow(/timed out/i);
    undo.run('refund', () => budget.refund({ requestId: request, subjects: [subject] }), Date.now() + 600_000);
  }, undo);
  expect(await budget.status(subject, null)).toMatchObject({ spentNano: 0, reservedNano: 0, remainingNano: 1_000 });

  // The other order: the refund first, then the reserve (a late command on another connection).
  const late = id('req');
  await budget.refund({ requestId: late, subjects: [subject] });
  expect(await budget.reserve({ requestId: late, amountNano: 600, subjects: [subject], ttlMs: 600_000 })).toMatchObject({ ok: false, reason: 'finished' });
  expect((await budget.status(subject, null)).reservedNano).toBe(0);
}, 20_000);

it('a rate check that timed out during a stall does not count the refused request', async () => {
  const rate = new RateLimiter(redis);
  const undo = new Eventually({ ...quiet, baseDelayMs: 50 });
  const subjects = [{ kind: 'key' as const, id: id('rate'), rpm: 1, tpm: null }];
  const request = id('req');
  await rate.check({ requestId: id('warm'), subjects: [{ ...subjects[0], id: id('warm') }], tokens: 1 });
  await stalled(async () => {
    await expect(rate.check({ requestId: request, subjects, tokens: 10 })).rejects.toThrow(/timed out/i);
    undo.run('cancel rate', () => rate.cancel({ requestId: request, subjects }), Date.now() + 61_000);
  }, undo);
  expect((await rate.check({ requestId: id('next'), subjects, tokens: 10 })).allowed).toBe(true);
}, 20_000);

it('undos are retried until Redis answers, and given up once what they undo has expired', async () => {
  let calls = 0;
  const undo = new Eventually({ ...quiet, baseDelayMs: 10, maxDelayMs: 20 });
  undo.run(
    'flaky',
    async () => {
      if (++calls < 3) throw new Error('down');
    },
    Date.now() + 10_000,
  );
  undo.run(
    'hopeless',
    async () => {
      throw new Error('down');
    },
    Date.now() + 50,
  );
  await undo.settled();
  expect(calls).toBe(3);
  expect(undo.pending).toBe(0);
});
