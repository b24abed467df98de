/**
 * The Debian binaries the local stores run on. A missing one is named with the way to get it,
 * before anything is spawned: otherwise redis-server's absence looked like a PING timeout.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

/** A binary the tests and `make dev` need and could not find. */
export class MissingBinaryError extends Error {
  constructor(
    readonly binary: string,
    readonly debianPackage: string,
    readonly overrideVariable: string,
  ) {
    super(
      `${binary} not found (or not executable): install Debian's ${debianPackage} (\`make dev\` and \`make test\` install it when run as root; ` +
        `or \`apt-get install ${debianPackage}\`), or set ${overrideVariable} to where it is`,
    );
    this.name = 'MissingBinaryError';
  }
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** redis-server's path (AIGW_TEST_REDIS_SERVER, else Debian's), or a MissingBinaryError. */
export function redisServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  const file = env.AIGW_TEST_REDIS_SERVER || '/usr/bin/redis-server';
  if (!executable(file)) throw new MissingBinaryError(file, 'redis-server', 'AIGW_TEST_REDIS_SERVER');
  return file;
}

/** PostgreSQL 15's bin folder (AIGW_TEST_PG_BIN, else Debian's), checked for what the tests run. */
export function postgresBinFolder(env: NodeJS.ProcessEnv = process.env): string {
  const folder = env.AIGW_TEST_PG_BIN || '/usr/lib/postgresql/15/bin';
  for (const name of ['initdb', 'pg_ctl', 'postgres']) {
    const file = path.join(folder, name);
    if (!executable(file)) throw new MissingBinaryError(file, 'postgresql-15', 'AIGW_TEST_PG_BIN');
  }
  return folder;
}
