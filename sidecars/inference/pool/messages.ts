/** What the gRPC thread and the model workers say to each other. */
import type { ModelKind, VerifiedModel } from '../models/manifest';

export type FailureCode = 'INVALID_ARGUMENT' | 'FAILED_PRECONDITION' | 'DEADLINE_EXCEEDED' | 'RESOURCE_EXHAUSTED' | 'CANCELLED' | 'UNAVAILABLE' | 'INTERNAL';

export interface Failure {
  code: FailureCode;
  message: string;
}

export interface CompressJob {
  rpc: 'compress';
  method: string;
  model: string;
  segments: string[];
  rate: number;
  targetTokens: number;
  question: string;
  forceTokens: string[];
  forceReserveDigit: boolean;
  dropConsecutive: boolean;
  useContextLevelFilter: boolean;
}

export interface EmbedJob {
  rpc: 'embed';
  model: string;
  texts: string[];
}

/** Test hook (INFERENCE_TEST_HOOKS): parks the worker until the test opens the gate. */
export interface HoldJob {
  rpc: 'hold';
}

export type Job = CompressJob | EmbedJob | HoldJob;

export interface CompressResult {
  segments: string[];
  originalTokens: number;
  compressedTokens: number;
  model: string;
}

export interface EmbedResult {
  vectors: Float32Array[];
  model: string;
  dimensions: number;
}

export type JobValue = CompressResult | EmbedResult | null;

export type JobOutcome = { ok: true; value: JobValue; computeMicros: number; threadId: number } | ({ ok: false } & Failure);

export interface ModelStatus {
  id: string;
  kind: ModelKind;
  ok: boolean;
  error?: string;
  loadSeconds: number;
}

export interface WorkerInit {
  models: VerifiedModel[];
  builtinEmbedder: boolean;
  /** Int32 gate of the hold hook; null without test hooks. */
  holdGate: SharedArrayBuffer | null;
}

export type ToWorker = { type: 'job'; id: number; job: Job };
export type FromWorker = { type: 'ready'; models: ModelStatus[] } | { type: 'done'; id: number; outcome: JobOutcome };
