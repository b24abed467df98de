import type { Logger } from '../../../lib/log';
import { LastUsedRecorder } from '../../../plugins/aigw-virtual-key/last-used';

function quietLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const none = (): void => undefined;
  return { warnings, debug: none, info: none, error: none, warn: (msg) => warnings.push(msg) };
}

describe('LastUsedRecorder', () => {
  it('writes each key seen once per batch, off the caller', async () => {
    const writes: string[][] = [];
    const recorder = new LastUsedRecorder({ write: async (ids) => writes.push(ids), flushMs: 60_000, now: () => 1000 });
    recorder.seen('a');
    recorder.seen('b');
    recorder.seen('a');
    expect(writes).toEqual([]); // nothing written while the request runs
    await recorder.flush();
    expect(writes).toEqual([['a', 'b']]);
    await recorder.flush();
    expect(writes).toHaveLength(1); // nothing new, no write
  });

  it('flushes by itself after the interval', async () => {
    const written = new Promise<string[]>((resolve) => {
      const recorder = new LastUsedRecorder({ write: async (ids) => resolve(ids), flushMs: 20 });
      recorder.seen('k');
    });
    expect(await written).toEqual(['k']);
  });

  it('holds at most maxPending keys; the rest are counted and recorded at their next use', async () => {
    const writes: string[][] = [];
    const recorder = new LastUsedRecorder({ write: async (ids) => writes.push(ids), flushMs: 60_000, maxPending: 2 });
    for (const id of ['a', 'b', 'c', 'a']) recorder.seen(id);
    expect(recorder.dropped).toBe(1);
    await recorder.flush();
    recorder.seen('c');
    await recorder.flush();
    expect(writes).toEqual([['a', 'b'], ['c']]);
  });

  it('logs a failed write and never throws', async () => {
    const log = quietLog();
    const recorder = new LastUsedRecorder({ write: () => Promise.reject(new Error('database down')), flushMs: 60_000, log });
    recorder.seen('a');
    await expect(recorder.flush()).resolves.toBeUndefined();
    expect(log.warnings).toEqual(['last_used_at not written']);
  });
});
