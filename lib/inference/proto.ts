/** The Inference service definition, loaded once per process from the proto file. */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { resolveInferenceProto } from './proto-path';

export const INFERENCE_SERVICE_NAME = 'aigw.inference.v1.Inference';

// longs as numbers: int64 compute_micros stays far below 2^53; defaults so absent fields read as zero values.
const LOADER_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, enums: String, defaults: true, arrays: true };

let cached: grpc.ServiceClientConstructor | null = null;

export function inferenceServiceConstructor(): grpc.ServiceClientConstructor {
  if (cached) return cached;
  const definition = protoLoader.loadSync(resolveInferenceProto(), LOADER_OPTIONS);
  const root = grpc.loadPackageDefinition(definition) as unknown as { aigw: { inference: { v1: { Inference: grpc.ServiceClientConstructor } } } };
  cached = root.aigw.inference.v1.Inference;
  return cached;
}

/** The wire shapes (keepCase: proto field names). */
export interface CompressRequestWire {
  method: string;
  segments: string[];
  rate: number;
  target_tokens: number;
  question: string;
  model: string;
  force_tokens: string[];
  force_reserve_digit: boolean;
  drop_consecutive: boolean;
  use_context_level_filter: boolean;
}

export interface CompressResponseWire {
  segments: string[];
  original_tokens: number;
  compressed_tokens: number;
  compute_micros: number;
  model: string;
}

export interface EmbedRequestWire {
  texts: string[];
  model: string;
}

export interface EmbedResponseWire {
  embeddings: { values: number[] }[];
  model: string;
  dimensions: number;
}
