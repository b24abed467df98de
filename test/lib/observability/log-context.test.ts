import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../../lib/log';
import {
  currentLogContext,
  logContextFromHeaders,
  runWithLogContext,
  setActiveSpanLookup,
  withRequestLogContext,
} from '../../../lib/observability/log-context';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACEPARENT = `00-${TRACE}-00f067aa0ba902b7-01`;

afterEach(() => setActiveSpanLookup(null));

describe('logContextFromHeaders', () => {
  test("Kong's request id and the traceparent's trace id; the caller's span is not ours", () => {
    expect(logContextFromHeaders({ 'x-kong-request-id': 'abc123', traceparent: TRACEPARENT })).toEqual({ requestId: 'abc123', traceId: TRACE });
  });

  test('a malformed traceparent or an outlandish request id is left out', () => {
    expect(logContextFromHeaders({ 'x-kong-request-id': 'a b\n{"level":"error"}', traceparent: 'nonsense' })).toEqual({});
    expect(logContextFromHeaders({ 'x-kong-request-id': 'x'.repeat(129) })).toEqual({});
    expect(logContextFromHeaders({})).toEqual({});
  });
});

describe('the context follows the request', () => {
  test('through awaits and timers, and not into other requests', async () => {
    const seen: Array<string | undefined> = [];
    const work = async (id: string, delay: number): Promise<void> =>
      runWithLogContext({ requestId: id }, async () => {
        await new Promise((r) => setTimeout(r, delay));
        seen.push(`${id}:${currentLogContext()?.requestId}`);
        await Promise.resolve();
        setImmediate(() => seen.push(`${id}-late:${currentLogContext()?.requestId}`));
      });
    await Promise.all([work('a', 20), work('b', 5)]);
    await new Promise((r) => setTimeout(r, 10));
    expect(seen.sort()).toEqual(['a-late:a', 'a:a', 'b-late:b', 'b:b']);
    expect(currentLogContext()).toBeUndefined();
  });

  test("an active span (a tracer's) names the trace and span; a failing lookup costs only the span", () => {
    setActiveSpanLookup(() => ({ traceId: 'c'.repeat(32), spanId: 'd'.repeat(16) }));
    expect(runWithLogContext({ requestId: 'r', traceId: TRACE }, currentLogContext)).toEqual({
      requestId: 'r',
      traceId: 'c'.repeat(32),
      spanId: 'd'.repeat(16),
    });
    setActiveSpanLookup(() => {
      throw new Error('tracer broken');
    });
    expect(runWithLogContext({ requestId: 'r', traceId: TRACE }, currentLogContext)).toEqual({ requestId: 'r', traceId: TRACE });
  });

  test('an HTTP handler wrapped in withRequestLogContext logs each request with its own ids, even after the response', async () => {
    const lines: string[] = [];
    const log = createLogger('relay', 'info', { write: (l) => lines.push(l) });
    const server: Server = createServer(
      withRequestLogContext((req, res) => {
        log.info('started');
        setTimeout(() => {
          res.end('ok');
          res.on('finish', () => log.info('finished'));
        }, Number(req.headers['x-delay']));
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await Promise.all([
        fetch(url, { headers: { 'x-kong-request-id': 'req-a', traceparent: TRACEPARENT, 'x-delay': '30' } }),
        fetch(url, { headers: { 'x-kong-request-id': 'req-b', 'x-delay': '1' } }),
      ]);
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      server.close();
    }
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const of = (id: string) => parsed.filter((l) => l.request_id === id).map((l) => [l.msg, l.trace_id]);
    expect(parsed).toHaveLength(4);
    expect(of('req-a')).toEqual([
      ['started', TRACE],
      ['finished', TRACE],
    ]);
    expect(of('req-b')).toEqual([
      ['started', undefined],
      ['finished', undefined],
    ]);
  });
});
