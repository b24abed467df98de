/**
 * The request a log line was written for. The relay and the control API run each request inside
 * runWithLogContext, so every line written while handling it (however deep, however late in a
 * stream) carries its request id and trace id without the ids being passed around.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER } from '../headers';
import { parseTraceparent, TRACEPARENT_HEADER } from './traceparent';

export interface LogContext {
  requestId?: string;
  traceId?: string;
  spanId?: string;
}

/** The span a tracer has active now (OpenTelemetry's, when tracing is on). */
export type ActiveSpanLookup = () => { traceId: string; spanId: string } | undefined;

const storage = new AsyncLocalStorage<LogContext>();
let activeSpan: ActiveSpanLookup | null = null;

export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * Lets a tracer name the current span, so lines carry the span they were written in rather
 * than the caller's; lib/log stays free of any tracing library. `null` removes it.
 */
export function setActiveSpanLookup(lookup: ActiveSpanLookup | null): void {
  activeSpan = lookup;
}

export function currentLogContext(): LogContext | undefined {
  const context = storage.getStore();
  let span: ReturnType<ActiveSpanLookup>;
  try {
    span = activeSpan?.();
  } catch {
    // Observability fails open: a broken lookup costs the span id, never the line.
    span = undefined;
  }
  if (!span) return context;
  return { ...context, traceId: span.traceId, spanId: span.spanId };
}

/** Kong's request ids are 32 hex characters; anything printable and short is kept, the rest dropped. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The request id Kong sent (X-Kong-Request-Id) and the trace the caller's `traceparent` names. */
export function logContextFromHeaders(headers: IncomingHttpHeaders): LogContext {
  const raw = headers[REQUEST_ID_HEADER];
  const requestId = Array.isArray(raw) ? raw[0] : raw;
  const trace = parseTraceparent(headers[TRACEPARENT_HEADER]);
  const context: LogContext = {};
  if (requestId && REQUEST_ID.test(requestId)) context.requestId = requestId;
  // The header's span is the caller's, not ours: span_id comes only from an active span.
  if (trace) context.traceId = trace.traceId;
  return context;
}

/** An HTTP handler that runs each request inside its log context (the relay's, the control API's). */
export function withRequestLogContext(handler: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => runWithLogContext(logContextFromHeaders(req.headers), () => handler(req, res));
}
