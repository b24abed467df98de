import { spawn } from 'node:child_process';
import path from 'node:path';
import { InferenceClient } from '../../../lib/inference/client';
import { REPO_ROOT } from '../../harness/repo-root';
import { waitFor } from '../../harness/wait-for';
import { type RunningSidecar, startSidecar } from '../../sidecars/inference/harness';

describe('InferenceClient', () => {
  it('answers a typed failure, never a throw, when nothing listens', async () => {
    const client = new InferenceClient({ address: '127.0.0.1:1' });
    const result = await client.compress({ method: 'structured', segments: ['x'] }, 2000);
    expect(result).toEqual({ ok: false, failure: { code: 'UNAVAILABLE', message: expect.any(String) } });
    client.close();
  });

  it('answers a typed failure for a bad address instead of throwing synchronously', async () => {
    const client = new InferenceClient({ address: 'not a target:::' });
    let result: Awaited<ReturnType<InferenceClient['embed']>> | undefined;
    expect(() => {
      client.embed(['x'], 1000).then((r) => (result = r));
    }).not.toThrow();
    await waitFor(() => result, 5000, 'the failure');
    expect(result?.ok).toBe(false);
    client.close();
  });

  describe('against a sidecar', () => {
    let sidecar: RunningSidecar;
    beforeAll(async () => {
      sidecar = await startSidecar();
    });
    afterAll(() => sidecar.stop());

    it('does not keep its process alive after a call (the channel is left open on purpose)', async () => {
      const script = `
        const { InferenceClient } = require(${JSON.stringify(path.join(REPO_ROOT, 'lib/inference/client.ts'))});
        const client = new InferenceClient({ address: ${JSON.stringify(sidecar.server.address)} });
        client.compress({ method: 'structured', segments: ['hi'] }, 5000).then((r) => process.stdout.write(JSON.stringify(r.ok)));
      `;
      const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      let exitCode: number | null | undefined;
      child.on('exit', (code) => (exitCode = code));
      try {
        await waitFor(() => (exitCode === undefined ? undefined : exitCode), 15_000, 'the client process to exit on its own');
      } finally {
        child.kill();
      }
      expect(exitCode).toBe(0);
      expect(out).toBe('true');
    });
  });
});
