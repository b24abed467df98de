// The test redis helper itself: no persistence, and stop() leaves no process, port or dir behind.
import fs from 'node:fs';
import net from 'node:net';
import Redis from 'ioredis';
import { startRedis } from './redis';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const connectable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

it('runs without persistence and stop() removes everything, idempotently', async () => {
  const r = await startRedis();
  expect(r.url).toBe(`redis://127.0.0.1:${r.port}`);
  const c = new Redis(r.url);
  expect(await c.config('GET', 'save')).toEqual(['save', '']);
  expect(await c.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
  c.disconnect();
  expect(alive(r.pid!)).toBe(true);
  expect(fs.existsSync(r.dir!)).toBe(true);
  await r.stop();
  await r.stop();
  expect(alive(r.pid!)).toBe(false);
  expect(fs.existsSync(r.dir!)).toBe(false);
  expect(await connectable(r.port)).toBe(false);
});

it('pause() freezes the server and stop() still works on a paused server', async () => {
  const r = await startRedis();
  const c = new Redis(r.url, { commandTimeout: 200, maxRetriesPerRequest: 0 });
  expect(await c.ping()).toBe('PONG');
  await r.pause!();
  await expect(c.ping()).rejects.toThrow(/timed out/i);
  await r.resume!();
  expect(await c.ping()).toBe('PONG');
  c.disconnect();
  await r.pause!();
  await r.stop();
  expect(alive(r.pid!)).toBe(false);
});
