/**
 * The invalidation channel notices a Redis that stalls (SIGSTOP keeps the connection open while
 * nothing flows): without the heartbeat the channel looked up for as long as the stall lasted, so
 * key caches kept trusting entries for 5 s instead of 1 s and a revoked key was served ~2 s after
 * the revoke returned.
 */
import { closeInvalidationChannels, HEARTBEAT_INTERVAL_MS, HEARTBEAT_TIMEOUT_MS, subscribeInvalidations } from '../../lib/invalidation-channel';
import { startRedis, type TestRedis } from '../harness/stores/redis';

let server: TestRedis;

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  closeInvalidationChannels();
  await server?.stop();
});

async function until(probe: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - started;
}

it('reports the channel down within the heartbeat bound when Redis stalls, and up again when it answers', async () => {
  const states: boolean[] = [];
  let downAt = 0;
  subscribeInvalidations(server.url, {
    onMessage: () => undefined,
    onState: (s) => {
      states.push(s);
      if (!s) downAt = Date.now(); // when the channel said so, not when the poll below looked
    },
  });
  await until(() => states.at(-1) === true, 5000);

  const pausedAt = Date.now();
  await server.pause!();
  let noticedAfter: number;
  try {
    await until(() => states.at(-1) === false, 5000);
    noticedAfter = downAt - pausedAt;
  } finally {
    await server.resume!();
  }
  // Detection: at most one interval to the next ping plus the timeout, plus scheduling slack.
  expect(noticedAfter).toBeLessThanOrEqual(HEARTBEAT_INTERVAL_MS + HEARTBEAT_TIMEOUT_MS + 400);
  await until(() => states.at(-1) === true, 5000);
  expect(states).toEqual([true, false, true]);
}, 20_000);
