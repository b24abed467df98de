/**
 * `make dev` as a newcomer runs it: the launcher prints a ready line and a curl example, serves
 * the configured models from the mock when no provider key is set, and Ctrl-C stops everything.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '../dev/sidecar-process';

async function portRefuses(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`);
    return false;
  } catch {
    return true;
  }
}

it('starts the gateway, answers gpt-4o-mini from the mock, and stops everything on SIGINT', async () => {
  const [gateway, relay, mock, control] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    AIGW_DEV_PORT: String(gateway),
    RELAY_PORT: String(relay),
    AIGW_DEV_MOCK_PORT: String(mock),
    CONTROL_PORT: String(control),
  };
  const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['test/dev/dev.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ready line in time:\n${stdout}\n${stderr}`)), 45_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('Ctrl-C')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`make dev exited early (${code}):\n${stderr}`)));
    });
    expect(stdout).toContain(`AI gateway ready on http://127.0.0.1:${gateway}`);
    expect(stdout).toMatch(/gpt-4o-mini\s+-> mock provider/);
    expect(stdout).toContain(`curl -sN http://127.0.0.1:${gateway}/v1/chat/completions`);
    const userKeyFile = /a user key for trying it out: (\S+)/.exec(stdout)?.[1];
    expect(userKeyFile).toBeDefined();
    const userKey = readFileSync(userKeyFile!, 'utf8').trim();
    expect(statSync(userKeyFile!).mode & 0o777).toBe(0o600);

    const unauthenticated = await fetch(`http://127.0.0.1:${gateway}/v1/models`);
    expect(unauthenticated.status).toBe(401);
    const res = await fetch(`http://127.0.0.1:${gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${userKey}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { object: string }).object).toBe('chat.completion');
  } finally {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }
  for (const port of [gateway, relay, mock, control]) expect(await portRefuses(port)).toBe(true);
}, 90_000);
