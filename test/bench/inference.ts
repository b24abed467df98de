/**
 * The inference sidecar's Compress cost on this machine: for each method it can run, latency
 * p50/p99 per 1k o200k tokens (one request at a time) and throughput (requests/s with twice as
 * many requests in flight as workers), with the pool at 1 worker and at N. The sidecar runs as
 * its own process (the built bundle when present, else the source under tsx), on loopback.
 * llmlingua2 uses the generated fixture model unless BENCH_INFERENCE_MODELS_DIR names a folder
 * with a real one: the fixture measures the mechanics (tokenise, ONNX run, thresholds), not a
 * real model's cost. Bounded: every phase has a time budget; the whole run stays under 60 s.
 *
 * Run alone: `tsx test/bench/inference.ts` (prints JSON).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { InferenceClient } from '../../lib/inference/client';
import { FIXTURE_MODEL_ID, writeFixtureModel } from '../../sidecars/inference/fixtures/make-fixture-model';
import { REPO_ROOT } from '../harness/repo-root';
import { waitFor } from '../harness/wait-for';
import { percentile } from './load';

export interface MethodResult {
  method: string;
  workers: number;
  /** null when the sidecar cannot run the method (e.g. a text method not merged yet). */
  available: boolean;
  reason?: string;
  tokens: number;
  p50MsPer1k: number;
  p99MsPer1k: number;
  requestsPerSecond: number;
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

const METHODS = ['structured', 'question_aware', 'bm25', 'llmlingua2'];
/** About 1k o200k tokens of words the fixture model knows (unknown words would become [UNK]). */
const TEXT = Array.from({ length: 70 }, () => 'alpha the bravo um charlie of delta and so echo 42 very walking.').join(' ');

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
  const request = { method, segments: [TEXT], rate: 0.5, question: 'what did echo say?' };
  const first = await client.compress(request, 10_000);
  if (!first.ok)
    return {
      method,
      workers,
      available: false,
      reason: `${first.failure.code}: ${first.failure.message}`,
      tokens: 0,
      p50MsPer1k: 0,
      p99MsPer1k: 0,
      requestsPerSecond: 0,
    };
  const tokens = first.value.originalTokens;
  const per1k = (ms: number) => (ms * 1000) / tokens;
  const latencies: number[] = [];
  const latencyEnd = Date.now() + options.latencyMs;
  while (Date.now() < latencyEnd) {
    const started = performance.now();
    const r = await client.compress(request, 10_000);
    if (!r.ok) throw new Error(`${method}: ${r.failure.code} ${r.failure.message}`);
    latencies.push(performance.now() - started);
  }
  let completed = 0;
  const throughputEnd = Date.now() + options.throughputMs;
  const started = performance.now();
  const lane = async () => {
    while (Date.now() < throughputEnd) {
      const r = await client.compress(request, 10_000);
      if (r.ok) completed++;
    }
  };
  await Promise.all(Array.from({ length: workers * 2 }, lane));
  const seconds = (performance.now() - started) / 1000;
  return {
    method,
    workers,
    available: true,
    tokens,
    p50MsPer1k: Number(per1k(percentile(latencies, 50)).toFixed(3)),
    p99MsPer1k: Number(per1k(percentile(latencies, 99)).toFixed(3)),
    requestsPerSecond: Number((completed / seconds).toFixed(1)),
  };
}

export async function runInferenceBench(options: InferenceBenchOptions = {}): Promise<InferenceBenchResult> {
  const settings: Required<InferenceBenchOptions> = {
    methods: options.methods ?? METHODS,
    latencyMs: options.latencyMs ?? 2000,
    throughputMs: options.throughputMs ?? 2500,
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

if (require.main === module) {
  runInferenceBench().then(
    (result) => process.stdout.write(JSON.stringify(result, null, 2) + '\n'),
    (error: Error) => {
      process.stderr.write(`inference bench failed: ${error.message}\n`);
      process.exit(1);
    },
  );
}
