/**
 * Our gateway against Portkey's open-source gateway (@portkey-ai/gateway, a devDependency for this
 * benchmark only), in one run on this machine: the same non-streamed chat request (20-token
 * answer), the same mock provider process, the same load generator, at concurrency 1 and 32:
 * - mock direct (the baseline every "added" figure subtracts),
 * - Portkey (its Node server, provider `openai` with the mock as custom host),
 * - our relay alone (a signed plan per request, as aigw-proxy signs them),
 * - our whole chain: the Kong test double with the real plugin servers, the relay (and Redis and
 *   PostgreSQL), in its own process (chain-process.ts), with a key without limits and a key with
 *   rpm, tpm, parallel and budget limits.
 * Also: the PDK round trips of a warm request and the CPU each process spends per request.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'undici';
import { signedHeaders, target } from '../e2e/helpers';
import { freePort, REPO_ROOT, startRelayProcess } from '../harness/stack/sidecar-process';
import { CHAIN_BODY, type ChainReady } from './chain-process';
import { percentile, runLoad, type Sample } from './load';
import { startMockProcess } from './mock-process';
import { cpuDuring, descendants } from './proc-stats';

const SECRET = 'p'.repeat(48);
const MOCK_KEY = 'sk-bench-portkey-mock';
const CONCURRENCIES = [1, 32] as const;
const REQUESTS: Record<(typeof CONCURRENCIES)[number], number> = {
  1: Number(process.env.BENCH_PORTKEY_SEQUENTIAL ?? 1000),
  32: Number(process.env.BENCH_PORTKEY_CONCURRENT ?? 4000),
};
const MAX_RUN_MS = 30_000;
/** The goals this comparison is run for. */
/** Whose CPU counts as the gateway's own in the CPU ratios (names as in cpuMsPerRequest). */
const PORTKEY_PROCESSES = ['Portkey'] as const;
const OUR_PROCESSES = ['relay', 'aigw-virtual-key server', 'aigw-proxy server'] as const;
export const GOALS = { relayVsPortkeyThroughput: 5, chainVsPortkeyThroughput: 1, maxRoundTripsWithLimits: 12 };

export type PathName = 'mock direct' | 'Portkey' | 'relay alone' | 'whole chain, key without limits' | 'whole chain, key with all limits';

export interface PortkeyRow {
  path: PathName;
  concurrency: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  throughputRps: number;
  errors: number;
  /** CPU ms per request of each process of the path (concurrent run only). */
  cpuMsPerRequest: Record<string, number>;
}

export interface PortkeyComparison {
  portkeyVersion: string;
  rows: PortkeyRow[];
  roundTrips: ChainReady['roundTrips'];
}

function portkeyVersion(): string {
  return (require(join(REPO_ROOT, 'node_modules', '@portkey-ai', 'gateway', 'package.json')) as { version: string }).version;
}

/** Portkey's Node server (build/start-server.js), held to loopback by a preload (it listens on every interface). */
async function startPortkey(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--require',
      join(__dirname, 'loopback-only.cjs'),
      join(REPO_ROOT, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js'),
      `--port=${port}`,
      '--headless',
    ],
    { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Portkey did not start:\n${output}`)), 20_000);
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (output.includes('Ready for connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`Portkey exited with ${code}:\n${output}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

async function startChain(mockUrl: string): Promise<{ ready: ChainReady; child: ChildProcess }> {
  const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['test/bench/chain-process.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, BENCH_MOCK_URL: mockUrl, BENCH_MOCK_KEY: MOCK_KEY, AIGW_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = await new Promise<ChainReady>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) resolve(JSON.parse(line) as ChainReady);
    });
    child.once('exit', (code) => reject(new Error(`chain process exited with ${code}`)));
  });
  return { ready, child };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function sender(pool: Pool, path: string, body: string, headersFor: () => Record<string, string>): () => Promise<Sample> {
  return async () => {
    const headers = headersFor();
    const start = performance.now();
    const res = await pool.request({ path, method: 'POST', body, headers });
    await res.body.arrayBuffer();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
    const total = performance.now() - start;
    return { ttfbMs: total, totalMs: total };
  };
}

interface Target {
  path: PathName;
  origin: string;
  /** Empties the mock's record of requests: it grows with every request, and so would its GC cost for later paths. */
  resetMock: () => Promise<void>;
  send: (pool: Pool) => () => Promise<Sample>;
  /** Processes whose CPU the path costs, by name. */
  pids: Record<string, number>;
}

async function measure(t: Target): Promise<PortkeyRow[]> {
  const pool = new Pool(t.origin, { connections: 32, pipelining: 1 });
  const send = t.send(pool);
  const rows: PortkeyRow[] = [];
  try {
    await runLoad(send, 8, 1000, MAX_RUN_MS); // warm-up: connections, JIT, caches
    for (const concurrency of CONCURRENCIES) {
      await t.resetMock();
      const requests = REQUESTS[concurrency];
      const { result, cpuMs } = await cpuDuring(t.pids, () => runLoad(send, concurrency, requests, MAX_RUN_MS));
      const totals = result.samples.map((s) => s.totalMs);
      const done = Math.max(1, result.samples.length);
      rows.push({
        path: t.path,
        concurrency,
        requests: result.samples.length,
        p50Ms: percentile(totals, 50),
        p99Ms: percentile(totals, 99),
        throughputRps: result.throughput,
        errors: result.errors,
        cpuMsPerRequest: concurrency === 32 ? Object.fromEntries(Object.entries(cpuMs).map(([name, ms]) => [name, ms / done])) : {},
      });
    }
  } finally {
    await pool.close();
  }
  process.stderr.write(`measured: ${t.path}\n`);
  return rows;
}

/** The processes of the chain, found below its process by their command lines. */
function chainPids(ready: ChainReady): Record<string, number> {
  const below = descendants(ready.pid);
  const find = (pattern: string): number => {
    const found = below.find((p) => p.cmdline.includes(pattern));
    if (!found) throw new Error(`no process of the chain matches ${pattern}`);
    return found.pid;
  };
  return {
    'Kong test double': ready.pid,
    'aigw-virtual-key server': find('aigw-virtual-key.sock'),
    'aigw-proxy server': find('aigw-proxy.sock'),
    relay: find('dist/sidecars/relay.js'),
  };
}

export async function measurePortkeyComparison(): Promise<PortkeyComparison> {
  const children: ChildProcess[] = [];
  const closers: Array<() => Promise<void>> = [];
  try {
    const mock = await startMockProcess(MOCK_KEY);
    children.push(mock.child);
    const mockPid = descendants(mock.child.pid!).find((p) => p.cmdline.includes('mock-provider/main.ts'))?.pid ?? mock.child.pid!;
    const portkey = await startPortkey();
    children.push(portkey.child);
    const relay = await startRelayProcess({ AIGW_PLAN_SECRET: SECRET, MOCK_API_KEY: MOCK_KEY, AIGW_LOG_LEVEL: 'warn' });
    closers.push(() => relay.close());
    const chain = await startChain(mock.url);
    children.push(chain.child);

    const body = CHAIN_BODY(20);
    const openAIHeaders = { 'content-type': 'application/json', authorization: `Bearer ${MOCK_KEY}` };
    const planTarget = { ...target(mock.url + '/v1', 'MOCK_API_KEY'), timeouts: { connectMs: 5000, firstByteMs: 60000, idleMs: 60000, totalMs: 600000 } };
    const pids = chainPids(chain.ready);
    const resetMock = async (): Promise<void> => {
      const res = await fetch(`${mock.url}/__mock/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`mock reset answered ${res.status}`);
      await res.arrayBuffer();
    };
    const targets: Target[] = [
      {
        path: 'mock direct',
        origin: mock.url,
        send: (pool) => sender(pool, '/v1/chat/completions', body, () => openAIHeaders),
        pids: { mock: mockPid },
        resetMock,
      },
      {
        path: 'Portkey',
        origin: portkey.url,
        send: (pool) =>
          sender(pool, '/v1/chat/completions', body, () => ({ ...openAIHeaders, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${mock.url}/v1` })),
        pids: { Portkey: portkey.child.pid!, mock: mockPid },
        resetMock,
      },
      {
        path: 'relay alone',
        origin: relay.url,
        // A fresh plan per request, as aigw-proxy signs them; signed before the clock starts.
        send: (pool) => sender(pool, '/v1/chat/completions', body, () => signedHeaders(body, planTarget, SECRET)),
        pids: { relay: relay.process.pid!, mock: mockPid },
        resetMock,
      },
      {
        path: 'whole chain, key without limits',
        origin: chain.ready.url,
        send: (pool) =>
          sender(pool, '/v1/chat/completions', body, () => ({ 'content-type': 'application/json', authorization: `Bearer ${chain.ready.keys.plain}` })),
        pids: { ...pids, mock: mockPid },
        resetMock,
      },
      {
        path: 'whole chain, key with all limits',
        origin: chain.ready.url,
        send: (pool) =>
          sender(pool, '/v1/chat/completions', body, () => ({ 'content-type': 'application/json', authorization: `Bearer ${chain.ready.keys.limited}` })),
        pids: { ...pids, mock: mockPid },
        resetMock,
      },
    ];
    const rows: PortkeyRow[] = [];
    for (const t of targets) rows.push(...(await measure(t)));
    return { portkeyVersion: portkeyVersion(), rows, roundTrips: chain.ready.roundTrips };
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    await Promise.all(children.map(stop));
  }
}

const f = (n: number): string => n.toFixed(2);

function find(rows: PortkeyRow[], path: PathName, concurrency: number): PortkeyRow {
  const row = rows.find((r) => r.path === path && r.concurrency === concurrency);
  if (!row) throw new Error(`no row for ${path} at ${concurrency}`);
  return row;
}

export function portkeyMarkdown(c: PortkeyComparison): string {
  const { rows } = c;
  const lines = [
    `@portkey-ai/gateway ${c.portkeyVersion} (its Node server) and ours, one run, the same non-streamed chat request (20-token answer) to the same mock process, the same load generator; ${REQUESTS[1]} requests at concurrency 1, ${REQUESTS[32]} at 32. "Added" is the path's latency minus calling the mock directly at the same concurrency. The whole chain is the Kong test double (a Node stand-in for Kong: its own cost is not real Kong's), the real plugin servers and the relay, with Redis and PostgreSQL.`,
    '',
    '| path | concurrency | throughput req/s | p50 ms | p99 ms | added p50 ms | added p99 ms | errors |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const concurrency of CONCURRENCIES) {
    const direct = find(rows, 'mock direct', concurrency);
    for (const row of rows.filter((r) => r.concurrency === concurrency)) {
      const added = row === direct ? ['', ''] : [f(row.p50Ms - direct.p50Ms), f(row.p99Ms - direct.p99Ms)];
      lines.push(
        `| ${row.path} | ${concurrency} | ${row.throughputRps.toFixed(0)} | ${f(row.p50Ms)} | ${f(row.p99Ms)} | ${added.join(' | ')} | ${row.errors} |`,
      );
    }
  }
  const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
  const addedP50 = (path: PathName, concurrency: number): number => find(rows, path, concurrency).p50Ms - find(rows, 'mock direct', concurrency).p50Ms;
  const rps = (path: PathName): number => find(rows, path, 32).throughputRps;
  const cpu = (path: PathName, processes: readonly string[]): number => {
    const { cpuMsPerRequest } = find(rows, path, 32);
    return processes.reduce((sum, name) => sum + (cpuMsPerRequest[name] ?? 0), 0);
  };
  lines.push(
    '',
    '| ratio | value | goal |',
    '|---|---|---|',
    `| relay alone ÷ Portkey, throughput at 32 | ${ratio(rps('relay alone'), rps('Portkey'))} | ≥ ${GOALS.relayVsPortkeyThroughput}× |`,
    `| whole chain (no limits) ÷ Portkey, throughput at 32 | ${ratio(rps('whole chain, key without limits'), rps('Portkey'))} | ≥ ${GOALS.chainVsPortkeyThroughput}× |`,
    `| whole chain (all limits) ÷ Portkey, throughput at 32 | ${ratio(rps('whole chain, key with all limits'), rps('Portkey'))} | |`,
    `| Portkey ÷ relay alone, added p50 at 1 | ${ratio(addedP50('Portkey', 1), addedP50('relay alone', 1))} | |`,
    `| Portkey ÷ whole chain (no limits), added p50 at 1 | ${ratio(addedP50('Portkey', 1), addedP50('whole chain, key without limits', 1))} | |`,
    `| Portkey ÷ relay alone, the gateway's own CPU per request at 32 | ${ratio(cpu('Portkey', PORTKEY_PROCESSES), cpu('relay alone', OUR_PROCESSES))} | |`,
    `| Portkey ÷ whole chain (no limits), our processes' CPU per request at 32 (relay and plugin servers; the test double left out) | ${ratio(cpu('Portkey', PORTKEY_PROCESSES), cpu('whole chain, key without limits', OUR_PROCESSES))} | |`,
    `| mock direct ÷ Portkey, throughput at 32: the most any gateway could reach here, with the mock and load generator on the same cores | ${ratio(rps('mock direct'), rps('Portkey'))} | |`,
  );
  lines.push('', 'PDK round trips of one warm request through the chain (access and log of both plugins; each is a socket round trip to a plugin server):', '');
  lines.push('| key | PDK calls | HandleEvent RPCs | goal |', '|---|---|---|---|');
  lines.push(`| without limits | ${c.roundTrips.plain.total} | ${c.roundTrips.plain.events} | |`);
  lines.push(`| with rpm, tpm, parallel and budget | ${c.roundTrips.limited.total} | ${c.roundTrips.limited.events} | ≤ ${GOALS.maxRoundTripsWithLimits} |`);
  lines.push('', 'CPU time per request at concurrency 32 (ms, from /proc/<pid>/stat; 10 ms ticks over thousands of requests):', '');
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.cpuMsPerRequest)))];
  lines.push(`| path | ${names.join(' | ')} |`, `|---|${names.map(() => '---|').join('')}`);
  for (const row of rows.filter((r) => r.concurrency === 32)) {
    lines.push(`| ${row.path} | ${names.map((n) => (row.cpuMsPerRequest[n] === undefined ? '' : row.cpuMsPerRequest[n].toFixed(3))).join(' | ')} |`);
  }
  return lines.join('\n') + '\n';
}

/** Standalone: `npx tsx test/bench/portkey.ts` prints the table without touching the results files. */
if (require.main === module) {
  measurePortkeyComparison()
    .then((c) => process.stdout.write(portkeyMarkdown(c) + '\n' + JSON.stringify(c.roundTrips, null, 2) + '\n'))
    .catch((error: unknown) => {
      process.stderr.write(`portkey bench failed: ${(error as Error).stack}\n`);
      process.exit(1);
    });
}
