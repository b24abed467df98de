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
import { postgresBinFolder } from './binaries';
import { freePort } from './ports';

const run = promisify(execFile);

export interface TestPostgres {
  /** postgres://postgres@127.0.0.1:PORT/aigw */
  url: string;
  stop(): Promise<void>;
  /**
   * Freezes the server (SIGSTOP to the postmaster and every process it started): connections
   * are still accepted by the kernel and open ones stay open, but nothing is answered.
   */
  pause(): Promise<void>;
  /** Undoes pause() (SIGCONT). */
  resume(): Promise<void>;
}

/** The postmaster's pid (first line of postmaster.pid) and its children, read from /proc (Linux). */
function serverPids(data: string): number[] {
  const postmaster = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

const asRoot = process.getuid?.() === 0;

/** argv for a PostgreSQL binary, dropped to the postgres user when we are root. */
function pgCommand(folder: string, bin: string, args: string[]): [string, string[]] {
  const full = path.join(folder, bin);
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

async function startOnce(pgBin: string): Promise<TestPostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aigw-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  if (asRoot) {
    const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gw = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    fs.chownSync(dir, Number(pw.stdout.trim()), Number(gw.stdout.trim()));
  }
  const opts = { cwd: dir, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } };
  const [initCmd, initArgs] = pgCommand(pgBin, 'initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ]);
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
  const [ctlCmd, startArgs] = pgCommand(pgBin, 'pg_ctl', ['start', '-w', '-t', '30', '-D', data, '-l', logFile, '-o', serverOpts]);
  const [, stopArgs] = pgCommand(pgBin, 'pg_ctl', ['stop', '-m', 'immediate', '-w', '-D', data]);

  // pause() fills this; the server must run again before it can be shut down.
  let paused: number[] = [];
  const signal = (pids: number[], sig: NodeJS.Signals): void => {
    for (const pid of pids) {
      try {
        process.kill(pid, sig);
      } catch {
        /* exited meanwhile */
      }
    }
  };
  const killNow = (): void => {
    signal(paused, 'SIGCONT');
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
    [
      '-c',
      // A paused server (SIGSTOP) must be continued first, or it never handles the shutdown.
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done; pm=$(head -n 1 "$3" 2>/dev/null); ' +
        `[ -n "$pm" ] && kill -CONT $pm $(ps -o pid= --ppid $pm) 2>/dev/null; ${quoted} >/dev/null 2>&1; rm -rf "$2"`,
      'aigw-pg-watchdog',
      String(process.pid),
      dir,
      path.join(data, 'postmaster.pid'),
    ],
    { stdio: 'ignore', detached: true },
  );
  watchdog.unref();

  const pause = async (): Promise<void> => {
    // The postmaster first, so it starts no backend between the listing and the signals.
    paused = serverPids(data);
    signal(paused.slice(0, 1), 'SIGSTOP');
    paused = [paused[0]!, ...serverPids(data).slice(1)];
    signal(paused.slice(1), 'SIGSTOP');
  };
  const resume = async (): Promise<void> => {
    signal(paused, 'SIGCONT');
    paused = [];
  };

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await resume(); // a stopped server cannot handle pg_ctl's shutdown signal
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
  return { url: `postgres://postgres@127.0.0.1:${port}/aigw`, stop, pause, resume };
}

/** Starts a real PostgreSQL for a test file. Call `stop()` in afterAll. Retries on a port race. */
export async function startPostgres(): Promise<TestPostgres> {
  const pgBin = postgresBinFolder();
  let lastError: unknown;
  for (let i = 0; i < 3; i++) {
    try {
      return await startOnce(pgBin);
    } catch (e) {
      lastError = e;
      if (!(e as { portInUse?: boolean }).portInUse) throw e;
    }
  }
  throw lastError;
}
