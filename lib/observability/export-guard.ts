/**
 * Export failures never reach a request: they are counted and logged at most once a minute (a
 * collector that is down would otherwise write a line per batch).
 */
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from '../log';

const LOG_EVERY_MS = 60_000;

export function guardedExporter(inner: SpanExporter, log: Logger, registry?: Registry): SpanExporter {
  const failures = new Counter({
    name: 'aigw_trace_export_failures_total',
    help: 'Span batches the OTLP exporter could not deliver (the spans are dropped; requests are unaffected)',
    registers: registry ? [registry] : [],
  });
  let lastLogAt = 0;
  let unlogged = 0;
  const failed = (result: ExportResult, spans: number): void => {
    failures.inc();
    unlogged++;
    const now = Date.now();
    if (now - lastLogAt < LOG_EVERY_MS) return;
    log.warn('trace export failed; spans dropped', { batches: unlogged, spans, error: result.error?.message ?? 'unknown' });
    lastLogAt = now;
    unlogged = 0;
  };
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
      const finish = (result: ExportResult): void => {
        if (result.code !== ExportResultCode.SUCCESS) failed(result, spans.length);
        done(result);
      };
      try {
        inner.export(spans, finish);
      } catch (error) {
        // An exporter that throws (a transport that cannot load) is a failed batch, not a crash.
        finish({ code: ExportResultCode.FAILED, error: error as Error });
      }
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}
