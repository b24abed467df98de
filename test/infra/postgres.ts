// A throw-away PostgreSQL 15 for tests: its own temp data dir, 127.0.0.1 on a free port, unix
// socket in the temp dir, fsync off, database `aigw`, trust auth (local tests only).
// PostgreSQL refuses to run as root, so as root the binaries run as the `postgres` OS user.
// stop() stops the server and removes the dir; a watchdog shell does the same if this process
// dies without calling stop() (a crashed jest worker must not leave a postgres behind).

import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './ports';

const run = promisify(execFile);
export const PG_BIN = process.env.AIGW_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/aigw */
  url: string;
  stop(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

/** argv for a PostgreSQL binary, dropped to the postgres user when we are root. */
function pgCommand(bin: string, args: string[]): [string, string[]] {
  const full = path.join(PG_BIN, bin);
  return asRoot ? ['runuser', ['-u', 'postgres', '--', full, ...args]] : [full, args];
}


const live = new Set<() => void>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const kill of live) kill();
  });
}

async function startOnce(): Promise<TestPostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aigw-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  if (asRoot) {
    const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gw = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    fs.chownSync(dir, Number(pw.stdout.trim()), Number(gw.stdout.trim()));
  }
  const opts = { cwd: dir, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } };
  const [initCmd, initArgs] = pgCommand('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  await run(initCmd, initArgs, opts);

  const port = await freePort();
  const serverOpts = [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    `-c unix_socket_directories='${dir}'`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=100',
  ].join(' ');
  const [ctlCmd, startArgs] = pgCommand('pg_ctl', ['start', '-w', '-t', '30', '-D', data, '-l', logFile, '-o', serverOpts]);
  const [, stopArgs] = pgCommand('pg_ctl', ['stop', '-m', 'immediate', '-w', '-D', data]);

  const killNow = (): void => {
    spawnSync(ctlCmd, stopArgs, { cwd: dir, stdio: 'ignore' });
    fs.rmSync(dir, { recursive: true, force: true });
  };
  live.add(killNow);
  installExitHook();

  try {
    await run(ctlCmd, startArgs, opts);
  } catch (error) {
    const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
    live.delete(killNow);
    killNow();
    throw Object.assign(new Error(`postgres did not start: ${(error as Error).message}\n${log.slice(-2000)}`), {
      portInUse: /could not bind|already in use/i.test(log),
    });
  }

  // Watchdog: if this process is SIGKILLed, 'exit' hooks never run; the shell notices and cleans up.
  const quoted = [ctlCmd, ...stopArgs].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const watchdog = spawn(
    'sh',
    ['-c', `while kill -0 "$1" 2>/dev/null; do sleep 1; done; ${quoted} >/dev/null 2>&1; rm -rf "$2"`, 'aigw-pg-watchdog', String(process.pid), dir],
    { stdio: 'ignore', detached: true },
  );
  watchdog.unref();

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    live.delete(killNow);
    try {
      await run(ctlCmd, stopArgs, { cwd: dir });
    } catch {
      /* already stopped */
    }
    try {
      if (watchdog.pid) process.kill(watchdog.pid, 'SIGKILL');
    } catch {
      /* watchdog already gone */
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    await admin.query('CREATE DATABASE aigw');
    await admin.end();
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/aigw`, stop };
}

/** Starts a real PostgreSQL for a test file. Call `stop()` in afterAll. Retries on a port race. */
export async function startPostgres(): Promise<TestPostgres> {
  let lastError: unknown;
  for (let i = 0; i < 3; i++) {
    try {
      return await startOnce();
    } catch (e) {
      lastError = e;
      if (!(e as { portInUse?: boolean }).portInUse) throw e;
    }
  }
  throw lastError;
}
