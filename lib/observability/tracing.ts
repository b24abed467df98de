/**
 * One tracer per process (the relay, each plugin server), exporting spans over OTLP/HTTP in
 * batches. Off by default: then `startSpan` returns null without allocating, and callers write
 * `span?.…`. Tracing never fails or slows a request: spans are queued and sent by the batch
 * processor's timer, a failed export is a counter and a rate-limited log line.
 * No context manager is installed: the parent of each span is passed explicitly (a traceparent
 * string or a span), which costs nothing per request and needs no async_hooks.
 */
import { type Attributes, ROOT_CONTEXT, type Span, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Registry } from 'prom-client';
import { createLogger } from '../log';
import { guardedExporter } from './export-guard';
import { formatTraceparent, parseTraceparent } from './traceparent';
import { type TracingConfig, tracingConfigFrom } from './tracing-config';

export type { Span };
export { SpanKind };

export interface Tracing {
  readonly enabled: boolean;
  /** Prompt and completion text may be put on spans. */
  readonly content: boolean;
  /**
   * A span under `parent` (a span of this process, or a traceparent header from the one before);
   * a new trace when there is none or it is malformed. Null when tracing is off.
   */
  startSpan(name: string, parent: Span | string | null | undefined, kind?: SpanKind, attributes?: Attributes, startTime?: number): Span | null;
  /** Sends what is queued; for shutdown. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = {
  enabled: false,
  content: false,
  startSpan: () => null,
  shutdown: async () => undefined,
};

/** The traceparent header naming `span`, for the next hop to continue. */
export function traceparentOf(span: Span): string {
  const context = span.spanContext();
  return formatTraceparent({ traceId: context.traceId, spanId: context.spanId, sampled: (context.traceFlags & 1) === 1 });
}

function parentContext(parent: Span | string | null | undefined) {
  if (!parent) return ROOT_CONTEXT;
  if (typeof parent !== 'string') return trace.setSpan(ROOT_CONTEXT, parent);
  const parsed = parseTraceparent(parent);
  if (!parsed) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: parsed.traceId, spanId: parsed.spanId, traceFlags: parsed.sampled ? 1 : 0, isRemote: true });
}

function tracingOn(tracer: Tracer, provider: BasicTracerProvider, config: TracingConfig): Tracing {
  return {
    enabled: true,
    content: config.content,
    startSpan: (name, parent, kind = SpanKind.INTERNAL, attributes, startTime) =>
      tracer.startSpan(name, { kind, attributes, startTime }, parentContext(parent)),
    shutdown: () => provider.shutdown(),
  };
}

export interface TracingOptions {
  env?: NodeJS.ProcessEnv;
  /** Where the export-failure counter is registered (the process's metrics registry). */
  registry?: Registry;
}

/**
 * A tracer for `serviceName` (OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override it), or the
 * no-op one when tracing is off. The SDK reads the endpoint, headers, sampler and batch settings
 * from the standard OTEL_* variables.
 */
export function createTracing(serviceName: string, options: TracingOptions = {}): Tracing {
  const config = tracingConfigFrom(options.env ?? process.env);
  if (!config.enabled) return OFF;
  const log = createLogger(serviceName);
  try {
    const resource = defaultResource()
      .merge(resourceFromAttributes({ 'service.name': serviceName }))
      .merge(detectResources({ detectors: [envDetector] }));
    const exporter = guardedExporter(new OTLPTraceExporter(), log, options.registry);
    const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(exporter)] });
    return tracingOn(provider.getTracer('aigw'), provider, config);
  } catch (error) {
    // Tracing is observability: a bad OTEL_* value leaves the process untraced, not down.
    log.warn('tracing could not start; spans are not exported', { error: (error as Error).message });
    return OFF;
  }
}

const perProcess = new Map<string, Tracing>();

/** The process's one tracing for `serviceName`, created the first time it is asked for. */
export function processTracing(serviceName: string, options: () => TracingOptions = () => ({})): Tracing {
  let tracing = perProcess.get(serviceName);
  if (!tracing) {
    tracing = createTracing(serviceName, options());
    perProcess.set(serviceName, tracing);
  }
  return tracing;
}
