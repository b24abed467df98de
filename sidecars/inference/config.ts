/** The inference sidecar's settings, all from its environment. */
import os from 'node:os';
import path from 'node:path';
import { INFERENCE_ADDRESS_DEFAULT } from '../../lib/gateway-defaults';
import { checkLoopbackAddress } from '../../lib/inference/address';

export interface InferenceConfig {
  /** `host:port` on loopback, or `unix:/path`. */
  address: string;
  workers: number;
  queueMax: number;
  maxMessageBytes: number;
  modelsDir: string;
  /** Model id used when a Compress llmlingua2 request names none; null = the first token-classification model. */
  llmlingua2Model: string | null;
  /** Model id used when an Embed request names none. */
  embedModel: string;
  /** Load the built-in Universal Sentence Encoder Lite (≈160 MB per worker). */
  builtinEmbedder: boolean;
  /** Loopback port of /metrics and /healthz; null = no listener. */
  metricsPort: number | null;
  limits: InferenceLimits;
  /** Enables the test-only method that parks a worker (tests of the queue); never in production. */
  testHooks: boolean;
}

export interface InferenceLimits {
  segmentsMax: number;
  embedBatchMax: number;
  embedTextCharsMax: number;
  forceTokensMax: number;
}

export const USE_LITE_MODEL_ID = 'use-lite';
const MIB = 1024 * 1024;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name}=${raw} must be an integer in [${min}, ${max}]`);
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name}=${raw} must be true or false`);
}

export function loadInferenceConfig(env: NodeJS.ProcessEnv = process.env): InferenceConfig {
  const metricsPort = env.INFERENCE_METRICS_PORT ? integer(env, 'INFERENCE_METRICS_PORT', 0, 0, 65535) : null;
  return {
    address: checkLoopbackAddress(env.INFERENCE_ADDRESS || INFERENCE_ADDRESS_DEFAULT),
    workers: integer(env, 'INFERENCE_WORKERS', Math.max(1, os.availableParallelism() - 1), 1, 64),
    queueMax: integer(env, 'INFERENCE_QUEUE_MAX', 64, 0, 100_000),
    maxMessageBytes: integer(env, 'INFERENCE_MAX_MESSAGE_BYTES', 8 * MIB, 1024, 256 * MIB),
    modelsDir: path.resolve(env.INFERENCE_MODELS_DIR || 'models'),
    llmlingua2Model: env.INFERENCE_LLMLINGUA2_MODEL || null,
    embedModel: env.INFERENCE_EMBED_MODEL || USE_LITE_MODEL_ID,
    builtinEmbedder: flag(env, 'INFERENCE_BUILTIN_EMBEDDER', true),
    metricsPort,
    limits: {
      segmentsMax: integer(env, 'INFERENCE_SEGMENTS_MAX', 256, 1, 100_000),
      embedBatchMax: integer(env, 'INFERENCE_EMBED_BATCH_MAX', 64, 1, 10_000),
      embedTextCharsMax: integer(env, 'INFERENCE_EMBED_TEXT_CHARS_MAX', 8192, 1, 10_000_000),
      forceTokensMax: 100,
    },
    testHooks: flag(env, 'INFERENCE_TEST_HOOKS', false),
  };
}
