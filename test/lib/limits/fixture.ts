// One real redis-server per test file, plus as many separate ioredis connections as a test wants.
import Redis from 'ioredis';
import { startRedis, type TestRedis } from '../../harness/stores/redis';

export interface RedisFixture {
  server: TestRedis;
  /** A shared connection for setup and assertions. */
  redis: Redis;
  /** Opens `n` more connections (closed in close()). */
  connections(n: number): Redis[];
  close(): Promise<void>;
}

export async function redisFixture(): Promise<RedisFixture> {
  const server = await startRedis();
  const opened: Redis[] = [];
  const open = (): Redis => {
    const c = new Redis(server.url, { maxRetriesPerRequest: 1, lazyConnect: false });
    opened.push(c);
    return c;
  };
  const redis = open();
  return {
    server,
    redis,
    connections: (n) => Array.from({ length: n }, open),
    close: async () => {
      await Promise.all(opened.map((c) => c.quit().catch(() => c.disconnect())));
      await server.stop();
    },
  };
}
