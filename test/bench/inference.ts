/**
 * The inference sidecar's Compress cost on this machine: for each method it can run, latency
 * p50/p99 per 1k o200k tokens (one request at a time, over gRPC) and throughput (requests/s with
 * twice as many requests in flight as workers), with the pool at 1 worker and at N. The sidecar
 * runs as its own process (the built bundle when present, else the source under tsx), on loopback.
 * Inputs: question_aware and bm25 get the first QA item (compression-qa.ts) and its question,
 * structured a JSON tool output from the corpus, llmlingua2 text of the words the fixture knows.
 * llmlingua2 uses the generated fixture model unless BENCH_INFERENCE_MODELS_DIR names a folder
 * with a real one: the fixture measures the mechanics (tokenise, ONNX run, thresholds), not a
 * real model's cost. Bounded: every phase has a time budget; the whole run stays under 60 s.
 *
 * Run alone: `tsx test/bench/inference.ts` (prints JSON).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type CompressRequest, InferenceClient } from '../../lib/inference/client';
import { FIXTURE_MODEL_ID, writeFixtureModel } from '../../sidecars/inference/fixtures/make-fixture-model';
import { REPO_ROOT } from '../harness/repo-root';
import { waitFor } from '../harness/wait-for';
import { CORPUS_DIR } from './compression-corpus';
import { qaSet } from './compression-qa';
import { percentile } from './load';

export interface MethodResult {
  method: string;
  workers: number;
  /** null when the sidecar cannot run the method (e.g. a text method not merged yet). */
  available: boolean;
  reason?: string;
  /** What the method compressed (one input per method, the same at every pool size). */
  input: string;
  tokens: number;
  p50MsPer1k: number;
  p99MsPer1k: number;
  /** The worker's own compute time (the response's computeMicros), without gRPC and queueing. */
  computeP50MsPer1k: number;
  requestsPerSecond: number;
  /** Requests that failed during the throughput phase (a failure in the latency phase throws). */
  errors: number;
}

export interface InferenceBenchResult {
  cores: number;
  model: string;
  results: MethodResult[];
}

export interface InferenceBenchOptions {
  methods?: string[];
  /** Per method and pool size. */
  latencyMs?: number;
  throughputMs?: number;
}

const DEFAULT_LATENCY_MS = 2000;
const DEFAULT_THROUGHPUT_MS = 2500;
export const METHODS = ['question_aware', 'bm25', 'structured', 'llmlingua2'];
/** The rate asked of the methods that take one (3×, the rate the goals name); structured ignores it. */
export const LATENCY_RATE = 0.33;
/** About 1k o200k tokens of words the fixture model knows (unknown words would become [UNK]). */
const FIXTURE_TEXT = Array.from({ length: 70 }, () => 'alpha the bravo um charlie of delta and so echo 42 very walking.').join(' ');
const STRUCTURED_FILE = 'github-issues.json';

/** Each method's request and a description of its input. */
function inputFor(method: string): { input: string; request: CompressRequest } {
  if (method === 'structured')
    return { input: `tool output ${STRUCTURED_FILE}`, request: { method, segments: [readFileSync(path.join(CORPUS_DIR, STRUCTURED_FILE), 'utf8')] } };
  if (method === 'llmlingua2') return { input: 'one sentence of fixture words ×70', request: { method, segments: [FIXTURE_TEXT], rate: LATENCY_RATE } };
  const [item] = qaSet(undefined, 1);
  return { input: `QA item ${item.id} and its question`, request: { method, segments: [item.context], rate: LATENCY_RATE, question: item.question } };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function startSidecarProcess(env: Record<string, string>): ChildProcess {
  const bundle = path.join(REPO_ROOT, 'dist', 'sidecars', 'inference.js');
  const args = existsSync(bundle) ? [bundle] : ['--require', 'tsx/cjs', path.join(REPO_ROOT, 'sidecars', 'inference', 'main.ts')];
  return spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
}

async function measure(client: InferenceClient, method: string, workers: number, options: Required<InferenceBenchOptions>): Promise<MethodResult> {
  const { input, request } = inputFor(method);
  const first = await client.compress(request, 10_000);
  if (!first.ok)
    return {
      method,
      workers,
      available: false,
      reason: `${first.failure.code}: ${first.failure.message}`,
      input,
      tokens: 0,
      p50MsPer1k: 0,
      p99MsPer1k: 0,
      computeP50MsPer1k: 0,
      requestsPerSecond: 0,
      errors: 0,
    };
  const tokens = first.value.originalTokens;
  const per1k = (ms: number) => Number(((ms * 1000) / tokens).toFixed(3));
  const latencies: number[] = [];
  const compute: number[] = [];
  const latencyEnd = Date.now() + options.latencyMs;
  while (Date.now() < latencyEnd) {
    const started = performance.now();
    const r = await client.compress(request, 10_000);
    if (!r.ok) throw new Error(`${method}: ${r.failure.code} ${r.failure.message}`);
    latencies.push(performance.now() - started);
    compute.push(r.value.computeMicros / 1000);
  }
  let completed = 0;
  let errors = 0;
  const throughputEnd = Date.now() + options.throughputMs;
  const started = performance.now();
  const lane = async () => {
    while (Date.now() < throughputEnd) {
      const r = await client.compress(request, 10_000);
      if (r.ok) completed++;
      else errors++;
    }
  };
  await Promise.all(Array.from({ length: workers * 2 }, lane));
  const seconds = (performance.now() - started) / 1000;
  return {
    method,
    workers,
    available: true,
    input,
    tokens,
    p50MsPer1k: per1k(percentile(latencies, 50)),
    p99MsPer1k: per1k(percentile(latencies, 99)),
    computeP50MsPer1k: per1k(percentile(compute, 50)),
    requestsPerSecond: Number((completed / seconds).toFixed(1)),
    errors,
  };
}

export async function runInferenceBench(options: InferenceBenchOptions = {}): Promise<InferenceBenchResult> {
  const settings: Required<InferenceBenchOptions> = {
    methods: options.methods ?? METHODS,
    latencyMs: options.latencyMs ?? DEFAULT_LATENCY_MS,
    throughputMs: options.throughputMs ?? DEFAULT_THROUGHPUT_MS,
  };
  const cores = os.availableParallelism();
  const fixtureDir = mkdtempSync(path.join(os.tmpdir(), 'aigw-bench-models-'));
  const modelsDir = process.env.BENCH_INFERENCE_MODELS_DIR || fixtureDir;
  if (modelsDir === fixtureDir) writeFixtureModel(fixtureDir);
  const results: MethodResult[] = [];
  try {
    for (const workers of [...new Set([1, Math.max(2, cores - 1)])]) {
      const port = await freePort();
      const child = startSidecarProcess({
        INFERENCE_ADDRESS: `127.0.0.1:${port}`,
        INFERENCE_WORKERS: String(workers),
        INFERENCE_MODELS_DIR: modelsDir,
        INFERENCE_BUILTIN_EMBEDDER: 'false',
        INFERENCE_QUEUE_MAX: '256',
      });
      let stderr = '';
      child.stderr?.on('data', (d) => (stderr += d));
      const client = new InferenceClient({ address: `127.0.0.1:${port}` });
      try {
        await waitFor(async () => (/inference listening/.test(stderr) ? true : child.exitCode !== null ? false : undefined), 30_000, 'the sidecar to listen');
        if (child.exitCode !== null) throw new Error(`the sidecar exited: ${stderr}`);
        for (const method of settings.methods) results.push(await measure(client, method, workers, settings));
      } finally {
        client.close();
        child.kill('SIGTERM');
        await waitFor(() => (child.exitCode !== null || child.signalCode !== null ? true : undefined), 10_000, 'the sidecar to stop');
      }
    }
  } finally {
    rmSync(fixtureDir, { recursive: true, force: true });
  }
  return { cores, model: modelsDir === fixtureDir ? `${FIXTURE_MODEL_ID} (generated: mechanics, not quality)` : modelsDir, results };
}

const ms = (n: number): string => n.toFixed(2);

/** The result as the README's table: one row per method and pool size. */
export function latencyMarkdown(result: InferenceBenchResult, options: Pick<InferenceBenchOptions, 'latencyMs' | 'throughputMs'> = {}): string {
  const latencyS = (options.latencyMs ?? DEFAULT_LATENCY_MS) / 1000;
  const throughputS = (options.throughputMs ?? DEFAULT_THROUGHPUT_MS) / 1000;
  const lines = [
    `The inference sidecar (\`dist/sidecars/inference.js\`, its own process on loopback, a worker-thread pool) called over gRPC from the bench process, on the same ${result.cores} cores. Per method and pool size: ${latencyS} s of one request at a time (latency per 1,000 input o200k tokens, round trip; "compute" is the worker's own time from the response), then ${throughputS} s with twice as many requests in flight as workers (throughput). Rate ${LATENCY_RATE} where the method takes one. llmlingua2 runs on ${result.model.startsWith(FIXTURE_MODEL_ID) ? `the generated fixture model (\`${FIXTURE_MODEL_ID}\`: a lookup table in one ONNX Gather): it measures the mechanics (tokenising, the ONNX Runtime call, thresholds), not quality and not a real model's cost` : `the model in ${result.model}`}.`,
    '',
    '| method | input | o200k tokens | workers | p50 ms per 1k | p99 ms per 1k | compute p50 ms per 1k | throughput req/s | errors |',
    '|---|---|---|---|---|---|---|---|---|',
    ...result.results.map((row) =>
      row.available
        ? `| ${row.method} | ${row.input} | ${row.tokens} | ${row.workers} | ${ms(row.p50MsPer1k)} | ${ms(row.p99MsPer1k)} | ${ms(row.computeP50MsPer1k)} | ${row.requestsPerSecond.toFixed(0)} | ${row.errors} |`
        : `| ${row.method} | ${row.input} | | ${row.workers} | unavailable: ${row.reason} | | | | |`,
    ),
  ];
  return lines.join('\n') + '\n';
}

if (require.main === module) {
  runInferenceBench().then(
    (result) => process.stdout.write(JSON.stringify(result, null, 2) + '\n'),
    (error: Error) => {
      process.stderr.write(`inference bench failed: ${error.message}\n`);
      process.exit(1);
    },
  );
}
