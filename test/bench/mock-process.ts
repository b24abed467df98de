/** The mock provider as its own process (test/harness/mock-provider/main.ts, every dialect), as the benchmarks use it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from '../harness/stack/sidecar-process';

export async function startMockProcess(apiKey: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
    ['test/harness/mock-provider/main.ts', '--port', String(port), '--api-key', apiKey, '--dialect', 'all'],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`mock exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}
