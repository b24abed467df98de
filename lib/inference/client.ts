/**
 * The plugins' client of the inference sidecar: one lazily created channel per process, typed
 * results, failures as values ({code, message}), never a synchronous throw. An idle channel does
 * not keep the process alive (grpc-js unrefs its connection when no call is active), and every
 * call carries a deadline, so none holds it for longer.
 */
import * as grpc from '@grpc/grpc-js';
import { type CompressRequestWire, type CompressResponseWire, type EmbedRequestWire, type EmbedResponseWire, inferenceServiceConstructor } from './proto';

export interface InferenceFailure {
  /** The gRPC status name: RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED, UNAVAILABLE, INVALID_ARGUMENT… */
  code: string;
  message: string;
}

export type InferenceResult<T> = { ok: true; value: T } | { ok: false; failure: InferenceFailure };

export interface CompressRequest {
  method: string;
  segments: string[];
  rate?: number;
  targetTokens?: number;
  question?: string;
  model?: string;
  forceTokens?: string[];
  forceReserveDigit?: boolean;
  dropConsecutive?: boolean;
  useContextLevelFilter?: boolean;
}

export interface CompressResponse {
  segments: string[];
  originalTokens: number;
  compressedTokens: number;
  computeMicros: number;
  model: string;
}

export interface EmbedResponse {
  vectors: Float32Array[];
  model: string;
  dimensions: number;
}

export interface InferenceClientOptions {
  /** `127.0.0.1:50151` or `unix:/path`. */
  address: string;
  maxMessageBytes?: number;
}

type Unary<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: Res) => void,
) => grpc.ClientUnaryCall;

interface InferenceStub extends grpc.Client {
  Compress: Unary<CompressRequestWire, CompressResponseWire>;
  Embed: Unary<EmbedRequestWire, EmbedResponseWire>;
}

const DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

function failureOf(error: unknown): InferenceFailure {
  const e = error as Partial<grpc.ServiceError>;
  const code = typeof e?.code === 'number' ? (grpc.status[e.code] ?? 'UNKNOWN') : 'INTERNAL';
  return { code, message: e?.details || (error as Error)?.message || String(error) };
}

export class InferenceClient {
  private stub: InferenceStub | null = null;

  constructor(private readonly options: InferenceClientOptions) {}

  compress(request: CompressRequest, deadlineMs: number): Promise<InferenceResult<CompressResponse>> {
    const wire: CompressRequestWire = {
      method: request.method,
      segments: request.segments,
      rate: request.rate ?? 0,
      target_tokens: request.targetTokens ?? 0,
      question: request.question ?? '',
      model: request.model ?? '',
      force_tokens: request.forceTokens ?? [],
      force_reserve_digit: request.forceReserveDigit ?? false,
      drop_consecutive: request.dropConsecutive ?? false,
      use_context_level_filter: request.useContextLevelFilter ?? false,
    };
    return this.call('Compress', wire, deadlineMs, (r: CompressResponseWire) => ({
      segments: r.segments,
      originalTokens: r.original_tokens,
      compressedTokens: r.compressed_tokens,
      computeMicros: Number(r.compute_micros),
      model: r.model,
    }));
  }

  embed(texts: string[], deadlineMs: number, model = ''): Promise<InferenceResult<EmbedResponse>> {
    return this.call('Embed', { texts, model }, deadlineMs, (r: EmbedResponseWire) => ({
      vectors: r.embeddings.map((e) => Float32Array.from(e.values)),
      model: r.model,
      dimensions: r.dimensions,
    }));
  }

  /**
   * Loads the proto and starts connecting now, without waiting: the first request then finds a
   * ready channel instead of paying for both inside its deadline. Never throws.
   */
  connect(): void {
    try {
      this.channel().getChannel().getConnectivityState(true);
    } catch {
      // The first call reports whatever is wrong, as a failure value.
    }
  }

  close(): void {
    this.stub?.close();
    this.stub = null;
  }

  private channel(): InferenceStub {
    if (this.stub) return this.stub;
    const Service = inferenceServiceConstructor();
    const max = this.options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.stub = new Service(this.options.address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': max,
      'grpc.max_send_message_length': max,
    }) as unknown as InferenceStub;
    return this.stub;
  }

  private call<Req, Res, T>(rpc: 'Compress' | 'Embed', request: Req, deadlineMs: number, convert: (response: Res) => T): Promise<InferenceResult<T>> {
    return new Promise((resolve) => {
      try {
        const stub = this.channel();
        const method = stub[rpc] as unknown as Unary<Req, Res>;
        method.call(stub, request, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) => {
          if (error || !response) resolve({ ok: false, failure: failureOf(error) });
          else resolve({ ok: true, value: convert(response) });
        });
      } catch (error) {
        resolve({ ok: false, failure: failureOf(error) });
      }
    });
  }
}
