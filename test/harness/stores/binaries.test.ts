/**
 * A machine without the stores' Debian packages: starting Redis or PostgreSQL fails at once with
 * the binary's name and how to get it (it used to be "redis-server ... did not answer PING" after
 * 10 s).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from './postgres';
import { startRedis } from './redis';

const saved = { redis: process.env.AIGW_TEST_REDIS_SERVER, pg: process.env.AIGW_TEST_PG_BIN };
afterEach(() => {
  for (const [name, value] of [
    ['AIGW_TEST_REDIS_SERVER', saved.redis],
    ['AIGW_TEST_PG_BIN', saved.pg],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

it('names redis-server and its Debian package when it is missing', async () => {
  process.env.AIGW_TEST_REDIS_SERVER = '/nonexistent/redis-server';
  const started = Date.now();
  await expect(startRedis()).rejects.toThrow(
    /\/nonexistent\/redis-server not found \(or not executable\): install Debian's redis-server .*apt-get install redis-server.*AIGW_TEST_REDIS_SERVER/,
  );
  expect(Date.now() - started).toBeLessThan(5000); // not a PING timeout
});

it("names PostgreSQL's binaries and their Debian package when they are missing", async () => {
  process.env.AIGW_TEST_PG_BIN = '/nonexistent/postgresql/15/bin';
  await expect(startPostgres()).rejects.toThrow(
    /\/nonexistent\/postgresql\/15\/bin\/initdb not found \(or not executable\): install Debian's postgresql-15 .*apt-get install postgresql-15.*AIGW_TEST_PG_BIN/,
  );
});

it('a redis-server that cannot be run is reported as such, not as a PING timeout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aigw-bin-'));
  try {
    const file = join(dir, 'redis-server');
    writeFileSync(file, '#!/bin/sh\n', { mode: 0o644 }); // no execute bit, even for root
    process.env.AIGW_TEST_REDIS_SERVER = file;
    await expect(startRedis()).rejects.toThrow(/redis-server not found \(or not executable\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
