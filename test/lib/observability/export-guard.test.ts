import { ExportResultCode } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import type { Logger } from '../../../lib/log';
import { guardedExporter } from '../../../lib/observability/export-guard';

function exporterAnswering(code: ExportResultCode): SpanExporter {
  return {
    export: (_spans, done) => done({ code, error: code === ExportResultCode.FAILED ? new Error('connect ECONNREFUSED') : undefined }),
    shutdown: async () => undefined,
  };
}

function recordingLog(): Logger & { warnings: unknown[] } {
  const warnings: unknown[] = [];
  return { debug() {}, info() {}, error() {}, warn: (msg, fields) => warnings.push({ msg, ...fields }), warnings };
}

async function failures(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric('aigw_trace_export_failures_total')!.get();
  return metric.values[0]?.value ?? 0;
}

it('counts failed batches and logs them at most once a minute; the caller still gets the result', async () => {
  const registry = new Registry();
  const log = recordingLog();
  const exporter = guardedExporter(exporterAnswering(ExportResultCode.FAILED), log, registry);
  const results: ExportResultCode[] = [];
  for (let i = 0; i < 3; i++) exporter.export([], (result) => results.push(result.code));
  expect(results).toEqual([ExportResultCode.FAILED, ExportResultCode.FAILED, ExportResultCode.FAILED]);
  expect(await failures(registry)).toBe(3);
  expect(log.warnings).toHaveLength(1);
  expect(log.warnings[0]).toMatchObject({ error: 'connect ECONNREFUSED' });
});

it('counts nothing for delivered batches', async () => {
  const registry = new Registry();
  const log = recordingLog();
  guardedExporter(exporterAnswering(ExportResultCode.SUCCESS), log, registry).export([], () => undefined);
  expect(await failures(registry)).toBe(0);
  expect(log.warnings).toHaveLength(0);
});

it('turns an exporter that throws into a failed batch', async () => {
  const registry = new Registry();
  const throwing: SpanExporter = {
    export: () => {
      throw new Error('transport unavailable');
    },
    shutdown: async () => undefined,
  };
  const codes: ExportResultCode[] = [];
  guardedExporter(throwing, recordingLog(), registry).export([], (result) => codes.push(result.code));
  expect(codes).toEqual([ExportResultCode.FAILED]);
  expect(await failures(registry)).toBe(1);
});
