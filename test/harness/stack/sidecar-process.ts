/** Runs a built sidecar (dist/sidecars/<name>.js) as its own process, as it runs in production. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, freePortsForLater } from '../stores/ports';

export { freePort };

import { REPO_ROOT } from '../repo-root';

export { REPO_ROOT };

export interface SidecarProcess {
  url: string;
  port: number;
  process: ChildProcess;
  /** What the process wrote to stdout and stderr (its JSON log lines), the last MiB of it. */
  output(): string;
  close(): Promise<void>;
}

/** Told of each whole line the process writes to stderr (its JSON log lines). */
export type LineListener = (line: string) => void;

/** A long `make dev` session must not keep every log line in memory. */
const OUTPUT_KEPT = 1024 * 1024;

/** Calls `listener` per complete line of a chunked stream. */
function lineSplitter(listener: LineListener): (chunk: string) => void {
  let partial = '';
  return (chunk) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line) listener(line);
  };
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

export function startRelayProcess(env: Record<string, string>, port?: number, onLine?: LineListener): Promise<SidecarProcess> {
  return startSidecarProcess('relay', 'RELAY_PORT', env, port, onLine);
}

export function startControlProcess(env: Record<string, string>, port?: number, onLine?: LineListener): Promise<SidecarProcess> {
  return startSidecarProcess('control', 'CONTROL_PORT', env, port, onLine);
}

/**
 * The inference sidecar: gRPC on `grpcPort`, health and metrics over HTTP on the port it is
 * started with (its `url`), serving once its models are loaded.
 */
export function startInferenceProcess(env: Record<string, string>, grpcPort: number, port?: number, onLine?: LineListener): Promise<SidecarProcess> {
  return startSidecarProcess('inference', 'INFERENCE_METRICS_PORT', { ...env, INFERENCE_ADDRESS: `127.0.0.1:${grpcPort}` }, port, onLine);
}

export async function startSidecarProcess(
  name: string,
  portVariable: string,
  env: Record<string, string>,
  port?: number,
  onLine?: LineListener,
): Promise<SidecarProcess> {
  if (port !== undefined) return startOnPort(name, portVariable, env, port, onLine);
  // A port the kernel does not hand out while the process starts; another one if it was taken anyway.
  for (let attempt = 1; ; attempt++) {
    const [free] = await freePortsForLater(1);
    try {
      return await startOnPort(name, portVariable, env, free!, onLine);
    } catch (error) {
      if (attempt >= 3 || !/EADDRINUSE/.test((error as Error).message)) throw error;
    }
  }
}

async function startOnPort(name: string, portVariable: string, env: Record<string, string>, port: number, onLine?: LineListener): Promise<SidecarProcess> {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'sidecars', `${name}.js`)], {
    env: { PATH: process.env.PATH ?? '', ...env, [portVariable]: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (text: string): void => {
    output += text;
    if (output.length > 2 * OUTPUT_KEPT) output = output.slice(-OUTPUT_KEPT);
  };
  const lines = onLine ? lineSplitter(onLine) : null;
  // Decoded as a stream, so a character split across chunks stays whole.
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    keep(text);
    lines?.(text);
    if (process.env.AIGW_DEV_VERBOSE === '1') process.stderr.write(text);
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(name, url, child, 15_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output}`);
  }
  return {
    url,
    port: port,
    process: child,
    output: () => output.slice(-OUTPUT_KEPT),
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
