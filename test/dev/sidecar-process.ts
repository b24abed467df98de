/** Runs a built sidecar (dist/sidecars/<name>.js) as its own process, as it runs in production. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../infra/ports';

export { freePort };

export const REPO_ROOT = join(__dirname, '..', '..');

export interface SidecarProcess {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the relay wrote to stderr (its JSON log lines). */
  output(): string;
  close(): Promise<void>;
}


export type RelayProcess = SidecarProcess;

async function waitForHealth(name: string, url: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not become healthy in time`);
}

export function startRelayProcess(env: Record<string, string>, port?: number): Promise<SidecarProcess> {
  return startSidecarProcess('relay', 'RELAY_PORT', env, port);
}

export function startControlProcess(env: Record<string, string>, port?: number): Promise<SidecarProcess> {
  return startSidecarProcess('control', 'CONTROL_PORT', env, port);
}

export async function startSidecarProcess(name: string, portVariable: string, env: Record<string, string>, port?: number): Promise<SidecarProcess> {
  const relayPort = port ?? (await freePort());
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'sidecars', `${name}.js`)], {
    env: { PATH: process.env.PATH ?? '', ...env, [portVariable]: String(relayPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
    if (process.env.AIGW_DEV_VERBOSE === '1') process.stderr.write(d);
  });
  const url = `http://127.0.0.1:${relayPort}`;
  try {
    await waitForHealth(name, url, child, 15_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return {
    url,
    port: relayPort,
    process: child,
    output: () => output,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
