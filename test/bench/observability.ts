/**
 * What metrics and tracing cost on the relay's hot path: the same signed chat request through a
 * relay process started three ways: (a) metrics and tracing off (`AIGW_METRICS=off`), (b) metrics
 * on (the default), (c) metrics and tracing on, exporting every span over OTLP/HTTP to a local
 * collector (the sink in this process, so the export's cost is all in the measurement).
 */
import { Pool } from 'undici';
import { signedHeaders, target } from '../e2e/helpers';
import { startOtlpSink } from '../harness/otlp/otlp-sink';
import { startRelayProcess } from '../harness/stack/sidecar-process';
import { percentile, runLoad, sender } from './load';
import { startMockProcess } from './mock-process';

const SECRET = 'c'.repeat(48);
const MOCK_KEY = 'sk-bench-obs-mock-key';
const CONCURRENCY = 16;
const MAX_MS = 20_000;

export interface ObservabilityRow {
  mode: string;
  stream: boolean;
  p50Ms: number;
  p99Ms: number;
  throughputRps: number;
  errors: number;
  spansExported: number;
}

const MODES: Array<{ mode: string; traced?: true; env: (otlp: string) => Record<string, string> }> = [
  { mode: 'metrics off, tracing off', env: () => ({ AIGW_METRICS: 'off' }) },
  { mode: 'metrics on', env: () => ({}) },
  {
    mode: 'metrics on, tracing on (OTLP to a local sink)',
    traced: true,
    env: (otlp) => ({ AIGW_TRACING: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_BSP_SCHEDULE_DELAY: '1000' }),
  },
];

/** Rounds the three configurations take turns in, so a busy moment of the machine is shared by all. */
const ROUNDS = 3;

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function measureObservability(latencyRequests: number, throughputRequests: number): Promise<ObservabilityRow[]> {
  const mock = await startMockProcess(MOCK_KEY);
  const sink = await startOtlpSink();
  const timeouts = { connectMs: 5000, firstByteMs: 60000, idleMs: 60000, totalMs: 600000 };
  const planTarget = { ...target(mock.url + '/v1', 'MOCK_API_KEY'), timeouts };
  // One relay per configuration, all running at once; the measurements interleave round by round.
  const relays = await Promise.all(
    MODES.map(({ env }) => startRelayProcess({ AIGW_PLAN_SECRET: SECRET, MOCK_API_KEY: MOCK_KEY, AIGW_LOG_LEVEL: 'warn', ...env(sink.endpoint) })),
  );
  const pools = relays.map((relay) => new Pool(relay.url, { connections: CONCURRENCY }));
  const rows: ObservabilityRow[] = [];
  try {
    for (const stream of [false, true]) {
      const body = JSON.stringify({
        model: 'gpt-4o-mini',
        stream,
        messages: [{ role: 'user', content: 'Benchmark prompt of a typical short length. [[mock {"tokens":20}]]' }],
      });
      const senders = pools.map((pool) => sender(pool, '/v1/chat/completions', body, () => signedHeaders(body, planTarget, SECRET)));
      for (const send of senders) await runLoad(send, 4, 500, MAX_MS); // warm-up
      const latencies: number[][] = MODES.map(() => []);
      const throughputs: number[][] = MODES.map(() => []);
      const errors = MODES.map(() => 0);
      const spansBefore = sink.spans.length;
      for (let round = 0; round < ROUNDS; round++) {
        for (const [m, send] of senders.entries()) {
          const latency = await runLoad(send, 1, Math.ceil(latencyRequests / ROUNDS), MAX_MS);
          const throughput = await runLoad(send, CONCURRENCY, Math.ceil(throughputRequests / ROUNDS), MAX_MS);
          latencies[m]!.push(...latency.samples.map((sample) => sample.totalMs));
          throughputs[m]!.push(throughput.throughput);
          errors[m]! += latency.errors + throughput.errors;
        }
      }
      // Spans leave in batches, while the next configuration runs: let the last batch arrive, then
      // count them all for the one configuration that traces.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const spansExported = sink.spans.length - spansBefore;
      for (const [m, { mode, traced }] of MODES.entries()) {
        rows.push({
          mode,
          stream,
          p50Ms: percentile(latencies[m]!, 50),
          p99Ms: percentile(latencies[m]!, 99),
          throughputRps: median(throughputs[m]!),
          errors: errors[m]!,
          spansExported: traced ? spansExported : 0,
        });
        process.stderr.write(`measured: observability, ${mode}, ${stream ? 'streamed' : 'non-streamed'}\n`);
      }
    }
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
    await Promise.all(relays.map((relay) => relay.close()));
    await sink.close();
    mock.child.kill('SIGTERM');
  }
  return rows;
}

const f = (n: number): string => n.toFixed(2);

export function observabilityMarkdown(rows: ObservabilityRow[], latencyRequests: number, throughputRequests: number): string {
  const lines = [
    `The relay alone (a signed plan, the mock provider, 20-token answers), in three configurations, one relay process each, measured in turn over ${ROUNDS} rounds so a busy moment of the machine falls on all three. Latency: ${latencyRequests} sequential requests; throughput: ${throughputRequests} requests at concurrency ${CONCURRENCY} (the median round). With tracing on every request exports a server span and an attempt span (the sink counts them once the last batch has arrived). "added" is against metrics and tracing off.`,
    '',
    '| configuration | answer | p50 ms | p99 ms | throughput req/s | errors | spans exported | added p50 ms | added p99 ms | throughput change |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const base = rows.find((r) => r.stream === row.stream && r === rows.find((b) => b.stream === row.stream))!;
    const change = ((row.throughputRps / base.throughputRps - 1) * 100).toFixed(1);
    const added = row === base ? ['', '', ''] : [f(row.p50Ms - base.p50Ms), f(row.p99Ms - base.p99Ms), `${change}%`];
    lines.push(
      `| ${row.mode} | ${row.stream ? 'streamed' : 'non-streamed'} | ${f(row.p50Ms)} | ${f(row.p99Ms)} | ${row.throughputRps.toFixed(0)} | ${row.errors} | ${row.spansExported} | ${added.join(' | ')} |`,
    );
  }
  return lines.join('\n') + '\n';
}

export function observabilityFailures(rows: ObservabilityRow[]): Array<{ name: string; errors: number }> {
  return rows.map((r) => ({ name: `observability: ${r.mode}, ${r.stream ? 'streamed' : 'non-streamed'}`, errors: r.errors }));
}
