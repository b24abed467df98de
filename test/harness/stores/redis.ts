// A throw-away redis-server for tests: 127.0.0.1, a free port, no persistence, its own temp dir.
// stop() kills it and removes the dir; a watchdog shell also kills it if this process dies
// without calling stop() (a crashed jest worker must not leave a redis-server behind).

import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { redisServerBinary } from './binaries';
import { freePort } from './ports';

export interface TestRedis {
  /** redis://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Kills the server (SIGKILL after a grace period) and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open but nothing is answered. */
  pause?(): Promise<void>;
  /** Undoes pause() (SIGCONT). */
  resume?(): Promise<void>;
  /** The server's process id and temp dir (for tests of this helper). */
  pid?: number;
  dir?: string;
}

export interface StartRedisOptions {
  /** More redis-server arguments, e.g. ['--cluster-enabled', 'yes']. */
  extraArgs?: string[];
  /** A fixed port (a restart: a new, empty server where a stopped one was); default a free one. */
  port?: number;
}

/** Every server this process started and has not stopped; killed synchronously on exit. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  });
}

/** Resolves once the server answers PING with PONG over a raw socket (no client library needed). */
function waitForPong(port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const sock = net.connect(port, '127.0.0.1');
      let buf = '';
      const retry = (): void => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server on port ${port} did not answer PING`));
        else setTimeout(attempt, 20);
      };
      sock.setTimeout(500, retry);
      sock.on('error', retry);
      sock.on('connect', () => sock.write('PING\r\n'));
      sock.on('data', (d) => {
        buf += d.toString('utf8');
        if (buf.includes('+PONG')) {
          sock.destroy();
          resolve();
        } else if (buf.includes('\r\n')) {
          retry(); // -LOADING and the like
        }
      });
    };
    attempt();
  });
}

async function startOnce(bin: string, opts: StartRedisOptions): Promise<TestRedis> {
  const port = opts.port ?? (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aigw-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    '--protected-mode',
    'yes',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
    '--logfile',
    '',
    ...(opts.extraArgs ?? []),
  ];
  const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  installExitHook();
  let output = '';
  child.stdout?.on('data', (d) => (output = (output + d.toString('utf8')).slice(-4000)));
  child.stderr?.on('data', (d) => (output = (output + d.toString('utf8')).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    // A spawn that fails (not executable, ...) emits 'error' and never 'exit'.
    child.once('error', (error) => {
      output += error.message;
      resolve(null);
    });
  });

  // Watchdog: if this process is SIGKILLed, 'exit' hooks never run; the shell notices and cleans up.
  const watchdog = spawn(
    'sh',
    [
      '-c',
      'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; kill -9 "$2" 2>/dev/null; rm -rf "$3"',
      'aigw-redis-watchdog',
      String(process.pid),
      String(child.pid ?? 0),
      dir,
    ],
    { stdio: 'ignore', detached: true },
  );
  watchdog.unref();

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT'); // a paused server cannot handle SIGTERM
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    }
    live.delete(child);
    try {
      if (watchdog.pid) process.kill(watchdog.pid, 'SIGKILL');
    } catch {
      /* watchdog already gone */
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const ready = waitForPong(port, Date.now() + 10_000);
  const outcome = await Promise.race([ready.then(() => 'ready' as const), exited.then(() => 'exited' as const)]).catch((e: Error) => e);
  if (outcome !== 'ready') {
    await stop();
    const why = outcome instanceof Error ? outcome.message : 'redis-server exited';
    throw Object.assign(new Error(`${why}: ${output.trim()}`), { portInUse: /Address already in use/i.test(output) });
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    pause: async () => {
      child.kill('SIGSTOP');
    },
    resume: async () => {
      child.kill('SIGCONT');
    },
    pid: child.pid,
    dir,
  };
}

/**
 * Starts a real redis-server for a test file. Call `stop()` in afterAll.
 * Retries on a port race (another process took the free port between probe and bind).
 */
export async function startRedis(opts: StartRedisOptions = {}): Promise<TestRedis> {
  const bin = redisServerBinary();
  let lastError: unknown;
  for (let i = 0; i < 5; i++) {
    try {
      return await startOnce(bin, opts);
    } catch (e) {
      lastError = e;
      if (!(e as { portInUse?: boolean }).portInUse || opts.port !== undefined) throw e;
    }
  }
  throw lastError;
}
