/**
 * Plugin spans. Each plugin server is its own process with its own tracer (and exporter); the
 * trace travels between plugins in the identity aigw-virtual-key shares (`traceparent`, its span),
 * so tracing adds no PDK round trip: the key plugin reads the client's traceparent from the headers
 * it reads anyway, later plugins read the identity they read anyway, and aigw-proxy sends its own
 * span's traceparent to the relay with the plan headers it sets anyway.
 */
import type { GatewayError } from '../errors';
import { pluginServerRegistry } from '../metrics/plugin-server';
import { errorTypeOf } from './error-type';
import { processTracing, type Span, SpanKind, type Tracing, traceparentOf } from './tracing';
import { tracingConfigFrom } from './tracing-config';

const ERROR = 2; // SpanStatusCode.ERROR

/** This plugin server's tracing (its metrics registry counts export failures). */
export function pluginTracing(plugin: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  return processTracing(plugin, () => ({ env, registry: tracingConfigFrom(env).enabled ? pluginServerRegistry(plugin, env) : undefined }));
}

/** Marks `span` as refused with `error` (its error.type attributed by lib/observability/error-type). */
export function refusedSpan(span: Span, error: GatewayError): void {
  span.setAttribute('error.type', errorTypeOf(error.status, error.code) ?? 'gateway');
  span.setAttribute('http.response.status_code', error.status);
  if (error.code) span.setAttribute('aigw.error.code', error.code);
  span.setStatus({ code: ERROR, message: error.code ?? String(error.status) });
}

/** One plugin's span for one request, with a child span per decision. */
export class PluginTrace {
  /** Decisions started and not yet decided: a throw between the two must not leave one unexported. */
  private readonly open = new Set<Span>();

  private constructor(
    private readonly tracing: Tracing,
    readonly span: Span,
  ) {}

  /** Null when tracing is off (nothing is allocated). `parent`: a traceparent header value. */
  static start(tracing: Tracing, plugin: string, parent: string | null | undefined, startTime?: number): PluginTrace | null {
    if (!tracing.enabled) return null;
    const span = tracing.startSpan(plugin, parent, SpanKind.INTERNAL, { 'aigw.plugin': plugin }, startTime);
    return span ? new PluginTrace(tracing, span) : null;
  }

  /** The traceparent naming this plugin's span, for the next plugin or hop to continue. */
  get traceparent(): string {
    return traceparentOf(this.span);
  }

  /** A decision (auth, limits, routing, budget …) as a child span; end it with `decided`. */
  decision(name: string): Span {
    const span = this.tracing.startSpan(name, this.span)!;
    this.open.add(span);
    return span;
  }

  /** Ends a decision span, refused or not. */
  decided(span: Span, error: GatewayError | null, attributes?: Record<string, string | number | boolean>): void {
    if (attributes) span.setAttributes(attributes);
    if (error) refusedSpan(span, error);
    this.open.delete(span);
    span.end();
  }

  /** Ends the plugin's span; `error` is the answer the plugin gave instead of forwarding. */
  end(error: GatewayError | null): void {
    // An unended span is never exported: a decision cut short by a throw is ended as unfinished.
    for (const span of this.open) {
      span.setStatus({ code: ERROR, message: 'unfinished' });
      span.end();
    }
    this.open.clear();
    if (error) refusedSpan(this.span, error);
    this.span.end();
  }
}
