/**
 * `make bench`: the relay's added latency and throughput against calling the mock provider
 * directly, non-streamed and streamed, measured side by side in one run on this machine.
 * The mock, the relay and this load generator each run in their own process. Then the plugin
 * chain, pathological prompts, Portkey, and first of all prompt compression (compression.ts) and
 * the semantic cache (cache.ts: precision, index, hits and misses end to end), and what model
 * routing adds (router-overhead.ts).
 * Results go to test/bench/raw/ only (results.ts); `make bench-readme` publishes them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { signedHeaders, target } from '../e2e/helpers';
import { startRelayProcess } from '../harness/stack/sidecar-process';
import { cacheFailures, cacheLatencyMarkdown, cachePrecisionMarkdown, measureCache } from './cache';
import { compressionFailures, compressionLatencyMarkdown, compressionQualityMarkdown, measureCompression } from './compression';
import { guardrailsMarkdown, measureGuardrails } from './guardrails';
import { type LoadResult, percentile, runLoad, type Sample, sender } from './load';
import { startMockProcess } from './mock-process';
import { measureObservability, observabilityFailures, observabilityMarkdown } from './observability';
import { pathologicalMarkdown } from './pathological';
import { chainMarkdown, measurePluginChain } from './plugin-chain';
import { measurePortkeyComparison, portkeyMarkdown } from './portkey';
import { markedSection, RAW_DIR } from './results';
import { measureRouter, routerMarkdown } from './router';
import { measureRouterOverhead, routerOverheadFailures, routerOverheadMarkdown } from './router-overhead';

const SECRET = 'b'.repeat(48);
const MOCK_KEY = 'sk-bench-mock-key';
const LATENCY_REQUESTS = Number(process.env.BENCH_LATENCY_REQUESTS ?? 1000);
const THROUGHPUT_REQUESTS = Number(process.env.BENCH_THROUGHPUT_REQUESTS ?? 4000);
const THROUGHPUT_CONCURRENCY = 16;
const MAX_SCENARIO_MS = 20_000;

interface Scenario {
  name: string;
  stream: boolean;
  tokens: number;
  /** Translated: the client speaks OpenAI's format, the upstream Anthropic's (direct = Anthropic's format to it). */
  anthropic?: boolean;
}

const SCENARIOS: Scenario[] = [
  { name: 'non-streamed, 20-token answer', stream: false, tokens: 20 },
  { name: 'streamed, 20-token answer', stream: true, tokens: 20 },
  { name: 'streamed, 400-token answer', stream: true, tokens: 400 },
  { name: 'OpenAI client → Anthropic upstream, non-streamed, 20 tokens', stream: false, tokens: 20, anthropic: true },
  { name: 'OpenAI client → Anthropic upstream, streamed, 20 tokens', stream: true, tokens: 20, anthropic: true },
];

/** The same request in Anthropic's format, for the direct call to the Anthropic upstream. */
function anthropicBodyFor(s: Scenario): string {
  return JSON.stringify({
    model: 'claude-sonnet-4-6',
    max_tokens: 1024,
    stream: s.stream,
    messages: [{ role: 'user', content: `Benchmark prompt of a typical short length. [[mock {"tokens":${s.tokens}}]]` }],
  });
}

function bodyFor(s: Scenario): string {
  return JSON.stringify({
    model: 'gpt-4o-mini',
    stream: s.stream,
    messages: [{ role: 'user', content: `Benchmark prompt of a typical short length. [[mock {"tokens":${s.tokens}}]]` }],
  });
}

interface Row {
  scenario: string;
  path: 'direct' | 'relay';
  p50Ms: number;
  p99Ms: number;
  ttfbP50Ms: number;
  ttfbP99Ms: number;
  throughputRps: number;
  errors: number;
}

async function measure(scenario: Scenario, path: Row['path'], send: () => Promise<Sample>): Promise<Row> {
  await runLoad(send, 4, 1000, MAX_SCENARIO_MS); // warm-up: connections, JIT (200 left the first scenario cold)
  const latency: LoadResult = await runLoad(send, 1, LATENCY_REQUESTS, MAX_SCENARIO_MS);
  const throughput: LoadResult = await runLoad(send, THROUGHPUT_CONCURRENCY, THROUGHPUT_REQUESTS, MAX_SCENARIO_MS);
  const total = latency.samples.map((s) => s.totalMs);
  const ttfb = latency.samples.map((s) => s.ttfbMs);
  return {
    scenario: scenario.name,
    path,
    p50Ms: percentile(total, 50),
    p99Ms: percentile(total, 99),
    ttfbP50Ms: percentile(ttfb, 50),
    ttfbP99Ms: percentile(ttfb, 99),
    throughputRps: throughput.throughput,
    errors: latency.errors + throughput.errors,
  };
}

const f = (n: number): string => n.toFixed(2);

function markdown(rows: Row[], meta: Record<string, string>): string {
  const lines = [
    `Measured ${meta.date} on ${meta.machine}, Node ${meta.node}. Latency: ${LATENCY_REQUESTS} sequential requests; throughput: ${THROUGHPUT_REQUESTS} requests at concurrency ${THROUGHPUT_CONCURRENCY}. Mock, relay and load generator are separate processes on the same 2 cores. In the translated rows, "direct" is an Anthropic-format call to the Anthropic mock and "relay" the same request in OpenAI format, translated both ways.`,
    '',
    '| scenario | path | p50 ms | p99 ms | first byte p50 ms | first byte p99 ms | throughput req/s | errors | added p50 ms | added p99 ms |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const direct = rows.find((r) => r.scenario === row.scenario && r.path === 'direct')!;
    const added = row.path === 'relay' ? [f(row.p50Ms - direct.p50Ms), f(row.p99Ms - direct.p99Ms)] : ['', ''];
    lines.push(
      `| ${row.scenario} | ${row.path} | ${f(row.p50Ms)} | ${f(row.p99Ms)} | ${f(row.ttfbP50Ms)} | ${f(row.ttfbP99Ms)} | ${row.throughputRps.toFixed(0)} | ${row.errors} | ${added.join(' | ')} |`,
    );
  }
  return lines.join('\n') + '\n';
}

async function main(): Promise<void> {
  // First: CPU-bound and about 50 s, so a broken sidecar build fails the run before the long parts.
  // In-process and CPU-bound: measured first, on a quiet machine.
  const guardrails = measureGuardrails();
  process.stderr.write('measured: guardrails\n');
  const router = await measureRouter();
  process.stderr.write(`measured: router (${router.seconds.toFixed(0)} s)\n`);
  const compression = await measureCompression();
  process.stderr.write(`measured: compression (${compression.seconds.toFixed(0)} s)\n`);
  const cache = await measureCache();
  process.stderr.write(`measured: semantic cache (${cache.seconds.total.toFixed(0)} s)\n`);
  const mock = await startMockProcess(MOCK_KEY);
  const relay = await startRelayProcess({ AIGW_PLAN_SECRET: SECRET, MOCK_API_KEY: MOCK_KEY, AIGW_LOG_LEVEL: 'warn' });
  const directPool = new Pool(mock.url, { connections: THROUGHPUT_CONCURRENCY });
  const relayPool = new Pool(relay.url, { connections: THROUGHPUT_CONCURRENCY });
  const rows: Row[] = [];
  try {
    for (const scenario of SCENARIOS) {
      const body = bodyFor(scenario);
      const directHeaders: Record<string, string> = scenario.anthropic
        ? { 'content-type': 'application/json', 'x-api-key': MOCK_KEY, 'anthropic-version': '2023-06-01' }
        : { 'content-type': 'application/json', authorization: `Bearer ${MOCK_KEY}` };
      const direct = scenario.anthropic
        ? sender(directPool, '/v1/messages', anthropicBodyFor(scenario), () => directHeaders)
        : sender(directPool, '/v1/chat/completions', body, () => directHeaders);
      // A fresh plan per request, as aigw-proxy signs them (plans expire); signing happens before the clock starts.
      const timeouts = { connectMs: 5000, firstByteMs: 60000, idleMs: 60000, totalMs: 600000 };
      const planTarget = scenario.anthropic
        ? { ...target(mock.url, 'MOCK_API_KEY'), provider: 'anthropic' as const, model: 'claude-sonnet-4-6', timeouts }
        : { ...target(mock.url + '/v1', 'MOCK_API_KEY'), timeouts };
      const viaRelay = sender(relayPool, '/v1/chat/completions', body, () => signedHeaders(body, planTarget, SECRET));
      rows.push(await measure(scenario, 'direct', direct));
      rows.push(await measure(scenario, 'relay', viaRelay));
      process.stderr.write(`measured: ${scenario.name}\n`);
    }
  } finally {
    await directPool.close();
    await relayPool.close();
    await relay.close();
    mock.child.kill('SIGTERM');
  }
  const meta = {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
    node: process.versions.node,
  };
  const chainRequests = Number(process.env.BENCH_CHAIN_REQUESTS ?? 500);
  const pathologicalRequests = Number(process.env.BENCH_PATHOLOGICAL_REQUESTS ?? 10);
  const { chain, pathological } = await measurePluginChain(chainRequests, 8, pathologicalRequests);
  const portkey = await measurePortkeyComparison();
  const observability = await measureObservability(LATENCY_REQUESTS, THROUGHPUT_REQUESTS);
  const observabilityTable = observabilityMarkdown(observability, LATENCY_REQUESTS, THROUGHPUT_REQUESTS);
  const routerOverhead = await measureRouterOverhead(Number(process.env.BENCH_ROUTER_REQUESTS ?? 300));
  process.stderr.write('measured: router overhead\n');
  const routerOverheadTable = routerOverheadMarkdown(routerOverhead);
  const table = markdown(rows, meta);
  const chainTable = chainMarkdown(chain, chainRequests, 8);
  const pathologicalTable = pathologicalMarkdown(pathological, pathologicalRequests);
  const portkeyTable = portkeyMarkdown(portkey);
  const qualityTable = compressionQualityMarkdown(compression);
  const latencyTable = compressionLatencyMarkdown(compression);
  const cachePrecisionTable = cachePrecisionMarkdown(cache);
  const cacheLatencyTable = cacheLatencyMarkdown(cache);
  const guardrailsTable = guardrailsMarkdown(guardrails);
  const routerTable = routerMarkdown(router);
  mkdirSync(RAW_DIR, { recursive: true });
  writeFileSync(
    join(RAW_DIR, 'results.json'),
    JSON.stringify(
      { meta, relay: rows, pluginChain: chain, pathological, portkey, compression, cache, observability, guardrails, router, routerOverhead },
      null,
      2,
    ) + '\n',
  );
  writeFileSync(
    join(RAW_DIR, 'results.md'),
    [
      '# Relay benchmark\n',
      markedSection({ name: 'relay', body: table }),
      '# Metrics and tracing on the hot path\n',
      markedSection({ name: 'observability', body: observabilityTable }),
      '# Plugin chain\n',
      markedSection({ name: 'keys', body: chainTable }),
      '# Pathological prompts\n',
      markedSection({ name: 'pathological', body: pathologicalTable }),
      '# Against Portkey\n',
      markedSection({ name: 'portkey', body: portkeyTable }),
      '# Prompt compression: quality\n',
      markedSection({ name: 'compression-quality', body: qualityTable }),
      '# Prompt compression: sidecar latency and throughput\n',
      markedSection({ name: 'compression-latency', body: latencyTable }),
      '# Semantic cache: precision\n',
      markedSection({ name: 'cache-precision', body: cachePrecisionTable }),
      '# Semantic cache: index and end-to-end latency\n',
      markedSection({ name: 'cache-latency', body: cacheLatencyTable }),
      '# Guardrails: precision, recall, latency\n',
      markedSection({ name: 'guardrails', body: guardrailsTable }),
      '# Model routing: quality and overhead\n',
      markedSection({ name: 'router-quality', body: routerTable }),
      '# Model routing: added latency\n',
      markedSection({ name: 'router-overhead', body: routerOverheadTable }),
    ].join('\n'),
  );
  process.stdout.write(
    [
      table,
      observabilityTable,
      chainTable,
      pathologicalTable,
      portkeyTable,
      qualityTable,
      latencyTable,
      cachePrecisionTable,
      cacheLatencyTable,
      guardrailsTable,
      routerTable,
      routerOverheadTable,
    ].join('\n'),
  );
  process.stdout.write(`\nresults in ${RAW_DIR}; \`make bench-readme\` copies them into the README and the tracked snapshots\n`);
  const failed = [
    ...rows.map((r) => ({ name: `${r.scenario} (${r.path})`, errors: r.errors })),
    ...chain.map((r) => ({ name: r.path, errors: r.errors })),
    ...pathological.map((r) => ({ name: r.body, errors: r.errors })),
    ...portkey.rows.map((r) => ({ name: `${r.path} at ${r.concurrency}`, errors: r.errors })),
    ...compressionFailures(compression),
    ...cacheFailures(cache),
    ...observabilityFailures(observability),
    ...routerOverheadFailures(routerOverhead),
  ].filter((r) => r.errors > 0);
  if (failed.length > 0) throw new Error(`requests failed in: ${failed.map((r) => r.name).join(', ')}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
