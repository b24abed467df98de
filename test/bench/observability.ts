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

const MODES: Array<{ mode: string; env: (otlp: string) => Record<string, string> }> = [
  { mode: 'metrics off, tracing off', env: () => ({ AIGW_METRICS: 'off' }) },
  { mode: 'metrics on', env: () => ({}) },
  {
    mode: 'metrics on, tracing on (OTLP to a local sink)',
    env: (otlp) => ({ AIGW_TRACING: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_BSP_SCHEDULE_DELAY: '1000' }),
  },
];

export async function measureObservability(latencyRequests: number, throughputRequests: number): Promise<ObservabilityRow[]> {
  const mock = await startMockProcess(MOCK_KEY);
  const sink = await startOtlpSink();
  const rows: ObservabilityRow[] = [];
  const timeouts = { connectMs: 5000, firstByteMs: 60000, idleMs: 60000, totalMs: 600000 };
  const planTarget = { ...target(mock.url + '/v1', 'MOCK_API_KEY'), timeouts };
  try {
    for (const { mode, env } of MODES) {
      const relay = await startRelayProcess({ AIGW_PLAN_SECRET: SECRET, MOCK_API_KEY: MOCK_KEY, AIGW_LOG_LEVEL: 'warn', ...env(sink.endpoint) });
      const pool = new Pool(relay.url, { connections: CONCURRENCY });
      try {
        for (const stream of [false, true]) {
          const body = JSON.stringify({
            model: 'gpt-4o-mini',
            stream,
            messages: [{ role: 'user', content: 'Benchmark prompt of a typical short length. [[mock {"tokens":20}]]' }],
          });
          const send = sender(pool, '/v1/chat/completions', body, () => signedHeaders(body, planTarget, SECRET));
          const spansBefore = sink.spans.length;
          await runLoad(send, 4, 500, MAX_MS); // warm-up
          const latency = await runLoad(send, 1, latencyRequests, MAX_MS);
          const throughput = await runLoad(send, CONCURRENCY, throughputRequests, MAX_MS);
          const total = latency.samples.map((s) => s.totalMs);
          rows.push({
            mode,
            stream,
            p50Ms: percentile(total, 50),
            p99Ms: percentile(total, 99),
            throughputRps: throughput.throughput,
            errors: latency.errors + throughput.errors,
            spansExported: sink.spans.length - spansBefore,
          });
          process.stderr.write(`measured: observability, ${mode}, ${stream ? 'streamed' : 'non-streamed'}\n`);
        }
      } finally {
        await pool.close();
        await relay.close();
      }
    }
  } finally {
    await sink.close();
    mock.child.kill('SIGTERM');
  }
  return rows;
}

const f = (n: number): string => n.toFixed(2);

export function observabilityMarkdown(rows: ObservabilityRow[], latencyRequests: number, throughputRequests: number): string {
  const lines = [
    `The relay alone (a signed plan, the mock provider, 20-token answers), in three configurations. Latency: ${latencyRequests} sequential requests; throughput: ${throughputRequests} requests at concurrency ${CONCURRENCY}. With tracing on every request exports a server span and an attempt span (the sink counts them; spans still queued when a configuration ends are not counted). "added" is against metrics and tracing off.`,
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
