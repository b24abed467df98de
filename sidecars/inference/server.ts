/**
 * The inference sidecar: gRPC (Inference + grpc.health.v1) on loopback, model work on a worker
 * pool, metrics on a loopback HTTP listener. Health says NOT_SERVING until the workers have
 * loaded their models and again while shutting down; a model that failed leaves the rest serving.
 */
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';
import { COMPRESSION_METHODS } from '../../lib/compression/types';
import {
  type CompressRequestWire,
  type CompressResponseWire,
  type EmbedRequestWire,
  type EmbedResponseWire,
  INFERENCE_SERVICE_NAME,
  inferenceServiceConstructor,
} from '../../lib/inference/proto';
import type { Logger } from '../../lib/log';
import { startMetricsListener } from '../../lib/metrics/listener';
import type { InferenceConfig } from './config';
import type { InferenceMetrics } from './metrics';
import { scanModels } from './models/manifest';
import type { CompressResult, EmbedResult, Failure, Job, JobOutcome } from './pool/messages';
import { WorkerPool } from './pool/worker-pool';
import { type Checked, checkCompress, checkEmbed, type ModelAvailability } from './requests';

export interface InferenceServer {
  /** The bound address (the port filled in when 0 was asked). */
  address: string;
  metricsUrl: string | null;
  models: ReadonlyMap<string, ModelAvailability>;
  /** Test hook gate (INFERENCE_TEST_HOOKS): store 1 and notify to release held workers. */
  holdGate: SharedArrayBuffer | null;
  close(): Promise<void>;
}

export interface InferenceServerOptions {
  config: InferenceConfig;
  log: Logger;
  metrics: InferenceMetrics;
}

/** Health service name of one model: its own line, so a broken model shows without failing the rest. */
export const modelHealthName = (id: string): string => `${INFERENCE_SERVICE_NAME}/model/${id}`;

function bind(server: grpc.Server, address: string): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
  );
}

function deadlineOf(call: grpc.ServerUnaryCall<unknown, unknown>): number {
  const deadline = call.getDeadline();
  if (deadline instanceof Date) return deadline.getTime();
  return Number.isFinite(deadline) ? Number(deadline) : Number.POSITIVE_INFINITY;
}

/** A metric label from a caller's method name: known names only, so labels stay bounded. */
const methodName = (method: string): string => ((COMPRESSION_METHODS as readonly string[]).includes(method) ? method : 'unknown');

const methodLabel = (job: Job): string => (job.rpc === 'compress' ? job.method : job.rpc === 'embed' ? 'embed' : 'hold');

export async function startInferenceServer(options: InferenceServerOptions): Promise<InferenceServer> {
  const { config, log, metrics } = options;
  const health = new HealthImplementation({ '': 'NOT_SERVING', [INFERENCE_SERVICE_NAME]: 'NOT_SERVING' });
  const setServing = (status: ServingStatus): void => {
    health.setStatus('', status);
    health.setStatus(INFERENCE_SERVICE_NAME, status);
  };
  const models = new Map<string, ModelAvailability>();
  let pool: WorkerPool | null = null;

  /** Queue a checked job and answer the call with its outcome; every path counts once. */
  const run = <Req, Res>(
    rpc: string,
    call: grpc.ServerUnaryCall<Req, Res>,
    callback: grpc.sendUnaryData<Res>,
    checked: Checked<Job>,
    method: string,
    toWire: (value: JobOutcome & { ok: true }) => Res,
  ): void => {
    const started = process.hrtime.bigint();
    const answer = (outcome: JobOutcome, label: string): void => {
      metrics.latency.observe({ rpc, method: label }, Number(process.hrtime.bigint() - started) / 1e9);
      metrics.requests.inc({ rpc, method: label, outcome: outcome.ok ? 'ok' : outcome.code });
      if (call.cancelled) return;
      if (outcome.ok) callback(null, toWire(outcome));
      else callback({ code: grpc.status[outcome.code], details: outcome.message });
    };
    const fail = (failure: Failure): void => answer({ ok: false, ...failure }, method);
    if (!checked.ok) return fail(checked);
    if (!pool) return fail({ code: 'UNAVAILABLE', message: 'the models are still loading' });
    const label = methodLabel(checked.job);
    const submission = pool.submit(checked.job, deadlineOf(call));
    if (!submission) {
      metrics.rejections.inc({ rpc });
      return answer({ ok: false, code: 'RESOURCE_EXHAUSTED', message: 'the inference queue is full' }, label);
    }
    call.on('cancelled', () => submission.cancel());
    submission.outcome.then((outcome) => {
      if (outcome.ok) metrics.computed.inc({ rpc, method: label });
      answer(outcome, label);
    });
  };

  const handlers: grpc.UntypedServiceImplementation = {
    Compress: (call: grpc.ServerUnaryCall<CompressRequestWire, CompressResponseWire>, callback: grpc.sendUnaryData<CompressResponseWire>) => {
      run('compress', call, callback, checkCompress(call.request, config, models), methodName(call.request.method), (outcome) => {
        const value = outcome.value as CompressResult;
        return {
          segments: value?.segments ?? [],
          original_tokens: value?.originalTokens ?? 0,
          compressed_tokens: value?.compressedTokens ?? 0,
          compute_micros: outcome.computeMicros,
          model: value?.model ?? '',
        };
      });
    },
    Embed: (call: grpc.ServerUnaryCall<EmbedRequestWire, EmbedResponseWire>, callback: grpc.sendUnaryData<EmbedResponseWire>) => {
      run('embed', call, callback, checkEmbed(call.request, config, models), 'embed', (outcome) => {
        const value = outcome.value as EmbedResult;
        return { embeddings: value.vectors.map((v) => ({ values: Array.from(v) })), model: value.model, dimensions: value.dimensions };
      });
    },
  };

  const server = new grpc.Server({ 'grpc.max_receive_message_length': config.maxMessageBytes, 'grpc.max_send_message_length': config.maxMessageBytes });
  server.addService(inferenceServiceConstructor().service, handlers);
  health.addToServer(server);
  const port = await bind(server, config.address);
  const address = config.address.startsWith('unix:') ? config.address : `${config.address.slice(0, config.address.lastIndexOf(':'))}:${port}`;
  const metricsListener =
    config.metricsPort === null
      ? null
      : await startMetricsListener(config.metricsPort, metrics.registry, () => ({ serving: pool !== null, models: Object.fromEntries(models) }));

  const { models: verified, problems } = await scanModels(config.modelsDir);
  for (const problem of problems) {
    log.error('model refused', { model: problem.id, error: problem.error });
    models.set(problem.id, { kind: 'token-classification', ok: false, error: problem.error });
  }
  const holdGate = config.testHooks ? new SharedArrayBuffer(4) : null;
  const starting = new WorkerPool({
    size: config.workers,
    queueMax: config.queueMax,
    init: { models: verified, builtinEmbedder: config.builtinEmbedder, holdGate },
    log,
    hooks: {
      queueDepth: (depth) => metrics.queueDepth.set(depth),
      deadlineDropped: (job) => metrics.deadlineDrops.inc({ rpc: job.rpc }),
      workers: (count) => metrics.workers.set(count),
      busy: (count) => metrics.busyWorkers.set(count),
    },
  });
  let statuses: Awaited<ReturnType<WorkerPool['start']>>;
  try {
    statuses = await starting.start();
  } catch (error) {
    await starting.close();
    server.forceShutdown();
    await metricsListener?.close();
    throw error;
  }
  for (const s of statuses) {
    models.set(s.id, { kind: s.kind, ok: s.ok, error: s.error });
    metrics.modelLoadSeconds.set({ model: s.id, loaded: String(s.ok) }, s.loadSeconds);
    if (s.ok) log.info('model loaded', { model: s.id, kind: s.kind, seconds: Number(s.loadSeconds.toFixed(3)) });
    else {
      metrics.modelErrors.inc({ model: s.id });
      log.error('model failed to load', { model: s.id, kind: s.kind, error: s.error });
    }
  }
  for (const [id, m] of models) health.setStatus(modelHealthName(id), m.ok ? 'SERVING' : 'NOT_SERVING');
  pool = starting;
  setServing('SERVING');
  log.info('inference sidecar serving', { address, workers: config.workers, queue_max: config.queueMax, models: [...models.keys()] });

  return {
    address,
    metricsUrl: metricsListener?.url ?? null,
    models,
    holdGate,
    async close() {
      setServing('NOT_SERVING');
      if (holdGate) releaseHeld(holdGate);
      // Answer what is in flight, refuse new calls; a stuck call cannot hold the exit past 5 s.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 5000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await starting.close();
      await metricsListener?.close();
    },
  };
}

/** Opens the test gate: every held worker returns. */
export function releaseHeld(gate: SharedArrayBuffer): void {
  const cell = new Int32Array(gate);
  Atomics.store(cell, 0, 1);
  Atomics.notify(cell, 0);
}
