/**
 * A plugin server that dies is respawned as Kong 3.9 does (kong/runloop/plugin_servers/process.lua
 * pluginserver_timer): requests meanwhile are proxied without the plugin (RPC connect errors are
 * logged: fail-open), and once the new server listens the plugin runs again in a fresh instance
 * ("no plugin instance" -> reset -> StartInstance).
 */

import { waitFor } from '../wait-for';
import { echoAndIngress, FIXTURE_PLUGINS } from './test-helpers';

const t = echoAndIngress((echo) => ({
  deck: {
    _format_version: '3.0',
    services: [{ name: 'echo', url: `${echo.url}/base`, routes: [{ name: 'r', paths: ['/r'] }] }],
    plugins: [{ name: 'fx-first', config: { mode: 'identify' } }],
  },
  pluginsDir: FIXTURE_PLUGINS,
}));

/** One request; what the fixture plugin told the upstream (no pid: the plugin did not run). */
async function identify(): Promise<{ status: number; pid?: string; instance?: string }> {
  const r = await fetch(`${t.ing.url}/r`);
  const body = (await r.json()) as { headers: Record<string, string> };
  return { status: r.status, pid: body.headers['x-first-pid'], instance: body.headers['x-first-instance'] };
}

/** pids from "[pluginserver] started, pid N" lines of fx-first, in spawn order, with their time. */
function spawns(): Array<{ pid: number; time: number }> {
  return t.ing.logs
    .filter((l) => l.source === 'fx-first' && /\[pluginserver\] started, pid \d+/.test(l.message))
    .map((l) => ({ pid: Number(/pid (\d+)/.exec(l.message)![1]), time: l.time }));
}

test('a killed plugin server is respawned at most once a second; requests fail open meanwhile, then run a fresh instance', async () => {
  const before = await identify();
  expect(before.status).toBe(200);
  expect(before.pid).toEqual(expect.stringMatching(/^\d+$/));

  process.kill(Number(before.pid), 'SIGKILL');
  await waitFor(() => spawns()[1], 10_000, 'the first respawn');
  expect(t.ing.logs.some((l) => l.message === "external pluginserver 'fx-first' terminated: signal 9")).toBe(true);
  // Kill the new server at once: its successor may not start before 1 s after it, so the next
  // request normally finds no server. On a machine so loaded that the successor is already up
  // when the request arrives, that one is killed too and the request sent again.
  const terminations = (): number => t.ing.logs.filter((l) => l.message === "external pluginserver 'fx-first' terminated: signal 9").length;
  let killed = spawns()[1]!;
  let gap: Awaited<ReturnType<typeof identify>> | undefined;
  for (let attempt = 0; attempt < 5 && !gap; attempt++) {
    killed = spawns().at(-1)!;
    const ended = terminations();
    process.kill(killed.pid, 'SIGKILL');
    await waitFor(() => (terminations() > ended ? true : undefined), 10_000, 'the termination');
    const errorsBefore = t.ing.logs.filter((l) => l.source === 'fx-first' && l.level === 'err').length;
    const r = await identify();
    if (r.pid !== undefined) continue; // the successor was up already
    gap = r;
    expect(t.ing.logs.filter((l) => l.source === 'fx-first' && l.level === 'err').length).toBeGreaterThan(errorsBefore);
  }
  expect(gap).toEqual({ status: 200, pid: undefined, instance: undefined }); // proxied without the plugin
  const second = killed;

  const after = await waitFor(
    async () => {
      const r = await identify();
      expect(r.status).toBe(200);
      return r.pid !== undefined ? r : undefined;
    },
    10_000,
    'the plugin to run again',
  );
  const third = spawns()[spawns().findIndex((sp) => sp.pid === second.pid) + 1]!;
  expect(third.time - second.time).toBeGreaterThanOrEqual(950); // Date.now() granularity aside, 1 s apart
  expect(after.pid).toBe(String(third.pid));
  expect(after.instance).toBe('1'); // the first instance of the new process
  expect(t.ing.logs.some((l) => l.source === 'fx-first' && l.level === 'warn' && /no plugin instance/.test(l.message))).toBe(true);
}, 30_000);
