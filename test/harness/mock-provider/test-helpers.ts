// Raw HTTP for the wire-level tests: the bytes as they arrive, with arrival times.

import http from 'node:http';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Each socket read with its time (ms) since the request was sent. */
  reads: Array<{ at: number; text: string }>;
  /** True when the connection broke before the response completed. */
  broken: boolean;
}

export function rawRequest(
  url: string,
  opts: { method?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RawResponse> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const data = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    const req = http.request(
      url,
      {
        method: opts.method ?? (data ? 'POST' : 'GET'),
        headers: { 'content-type': 'application/json', ...(opts.headers ?? {}) },
        agent: false,
      },
      (res) => {
        const reads: RawResponse['reads'] = [];
        let broken = false;
        res.setEncoding('utf8');
        res.on('data', (text: string) => reads.push({ at: performance.now() - start, text }));
        res.on('aborted', () => (broken = true));
        res.on('error', () => (broken = true));
        res.on('close', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: reads.map((r) => r.text).join(''),
            reads,
            broken: broken || !res.complete,
          }),
        );
      },
    );
    req.on('error', reject);
    if (opts.timeoutMs) req.setTimeout(opts.timeoutMs, () => req.destroy(new Error('client timeout')));
    req.end(data);
  });
}

/** Parses an SSE body into its data payloads (checking the framing on the way). */
export function sseData(body: string): string[] {
  if (body.length === 0) return [];
  const events = body.split('\n\n');
  // A well-framed body ends with "\n\n", so the last split element is empty.
  const tail = events.pop();
  if (tail !== '') throw new Error(`unterminated SSE event: ${JSON.stringify(tail)}`);
  return events.map((e) => {
    if (!e.startsWith('data: ') || e.includes('\n')) throw new Error(`bad SSE event: ${JSON.stringify(e)}`);
    return e.slice('data: '.length);
  });
}

export const chatBody = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content }],
  ...extra,
});

/** Parses an Anthropic SSE body into {event, data} pairs, checking the exact framing. */
export function sseEvents(body: string): Array<{ event: string; data: string }> {
  if (body.length === 0) return [];
  const events = body.split('\n\n');
  const tail = events.pop();
  if (tail !== '') throw new Error(`unterminated SSE event: ${JSON.stringify(tail)}`);
  return events.map((e) => {
    const m = /^event: ([a-z_]+)\ndata: ([^\n]+)$/.exec(e);
    if (!m) throw new Error(`bad SSE event: ${JSON.stringify(e)}`);
    return { event: m[1], data: m[2] };
  });
}

/** Parses a Gemini SSE body (CRLF framing, no [DONE]) into its data payloads. */
export function crlfSseData(body: string): string[] {
  if (body.length === 0) return [];
  const events = body.split('\r\n\r\n');
  const tail = events.pop();
  if (tail !== '') throw new Error(`unterminated SSE event: ${JSON.stringify(tail)}`);
  return events.map((e) => {
    if (!e.startsWith('data: ') || /[\r\n]/.test(e)) throw new Error(`bad SSE event: ${JSON.stringify(e)}`);
    return e.slice('data: '.length);
  });
}
