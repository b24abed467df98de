import { createTracing } from '../../../lib/observability/tracing';
import { tracingConfigFrom } from '../../../lib/observability/tracing-config';

describe('tracingConfigFrom', () => {
  it('is off by default, and content with it', () => {
    expect(tracingConfigFrom({})).toEqual({ enabled: false, content: false });
    expect(tracingConfigFrom({ AIGW_TRACE_CONTENT: 'on' })).toEqual({ enabled: false, content: false });
  });

  it.each(['on', 'ON', 'true', '1', 'yes', ' on '])('AIGW_TRACING=%p turns it on', (value) => {
    expect(tracingConfigFrom({ AIGW_TRACING: value }).enabled).toBe(true);
  });

  it.each(['off', 'false', '0', '', 'maybe'])('AIGW_TRACING=%p leaves it off', (value) => {
    expect(tracingConfigFrom({ AIGW_TRACING: value }).enabled).toBe(false);
  });

  it('honours the standard switches: OTEL_TRACES_EXPORTER=otlp on, none and OTEL_SDK_DISABLED off whatever else says', () => {
    expect(tracingConfigFrom({ OTEL_TRACES_EXPORTER: 'otlp' }).enabled).toBe(true);
    expect(tracingConfigFrom({ OTEL_TRACES_EXPORTER: 'console, OTLP' }).enabled).toBe(true);
    expect(tracingConfigFrom({ OTEL_TRACES_EXPORTER: 'console' }).enabled).toBe(false);
    expect(tracingConfigFrom({ AIGW_TRACING: 'on', OTEL_TRACES_EXPORTER: 'none' }).enabled).toBe(false);
    expect(tracingConfigFrom({ AIGW_TRACING: 'on', OTEL_SDK_DISABLED: 'true' }).enabled).toBe(false);
    expect(tracingConfigFrom({ AIGW_TRACING: 'on', OTEL_SDK_DISABLED: 'false' }).enabled).toBe(true);
  });

  it('puts text on spans only when both switches are on', () => {
    expect(tracingConfigFrom({ AIGW_TRACING: 'on' }).content).toBe(false);
    expect(tracingConfigFrom({ AIGW_TRACING: 'on', AIGW_TRACE_CONTENT: 'on' }).content).toBe(true);
  });
});

describe('createTracing', () => {
  it('off: no span, nothing allocated per call', () => {
    const tracing = createTracing('test', { env: {} });
    expect(tracing.enabled).toBe(false);
    expect(tracing.startSpan('x', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBeNull();
  });

  it('on: a span continues a valid traceparent, and a malformed one starts a new trace', () => {
    const tracing = createTracing('test', { env: { AIGW_TRACING: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' } });
    const child = tracing.startSpan('child', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')!;
    expect(child.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    const fresh = tracing.startSpan('fresh', '00-zz-b7ad6b7169203331-01')!;
    expect(fresh.spanContext().traceId).not.toBe('0af7651916cd43dd8448eb211c80319c');
    expect(fresh.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    const grandchild = tracing.startSpan('grandchild', child)!;
    expect(grandchild.spanContext().traceId).toBe(child.spanContext().traceId);
    // Not ended: nothing is queued for export (jest's VM cannot load the exporter's transport).
  });
});
