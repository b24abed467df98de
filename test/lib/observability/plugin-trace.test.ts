import { PluginTrace } from '../../../lib/observability/plugin-trace';
import type { Span, Tracing } from '../../../lib/observability/tracing';

/** Spans that record what was done to them: enough for what PluginTrace calls. */
interface RecordedSpan {
  name: string;
  ended: number;
  status?: { code: number; message?: string };
  attributes: Record<string, unknown>;
}

function recordingTracing(): { tracing: Tracing; spans: RecordedSpan[] } {
  const spans: RecordedSpan[] = [];
  const tracing: Tracing = {
    enabled: true,
    content: false,
    startSpan(name) {
      const recorded: RecordedSpan = { name, ended: 0, attributes: {} };
      spans.push(recorded);
      const span = {
        setAttribute(key: string, value: unknown) {
          recorded.attributes[key] = value;
          return span;
        },
        setAttributes(values: Record<string, unknown>) {
          Object.assign(recorded.attributes, values);
          return span;
        },
        setStatus(status: { code: number; message?: string }) {
          recorded.status = status;
          return span;
        },
        end: () => void recorded.ended++,
        spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }),
      };
      return span as unknown as Span;
    },
    shutdown: async () => undefined,
  };
  return { tracing, spans };
}

describe('PluginTrace', () => {
  it('ends a decision the plugin never finished (a store threw mid-decision) when the plugin span ends, marked as an error', () => {
    const { tracing, spans } = recordingTracing();
    const trace = PluginTrace.start(tracing, 'aigw-virtual-key', null)!;
    trace.decision('auth');
    trace.end(null);
    const auth = spans.find((s) => s.name === 'auth')!;
    expect(auth.ended).toBe(1);
    expect(auth.status).toEqual({ code: 2, message: 'unfinished' });
    expect(spans.find((s) => s.name === 'aigw-virtual-key')!.ended).toBe(1);
  });

  it('ends each finished decision once and leaves its status alone', () => {
    const { tracing, spans } = recordingTracing();
    const trace = PluginTrace.start(tracing, 'aigw-proxy', null)!;
    const routing = trace.decision('routing');
    trace.decided(routing, null, { 'aigw.targets': 2 });
    trace.end(null);
    const recorded = spans.find((s) => s.name === 'routing')!;
    expect(recorded.ended).toBe(1);
    expect(recorded.status).toBeUndefined();
    expect(recorded.attributes['aigw.targets']).toBe(2);
  });
});
