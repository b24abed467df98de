import { createLogger, formatLogLine, type LogEvent } from '../../../lib/log';
import { runWithLogContext } from '../../../lib/observability/log-context';
import { LOG_LIMITS, type LogPolicy, logPolicyFromEnv, REDACTED } from '../../../lib/observability/log-redaction';

const DEFAULTS = logPolicyFromEnv({});
const event = (fields: Record<string, unknown>, msg = 'event'): LogEvent => ({ level: 'info', service: 'relay', component: 'relay', msg, fields });
const line = (fields: Record<string, unknown>, policy: LogPolicy = DEFAULTS, msg?: string): Record<string, unknown> =>
  JSON.parse(formatLogLine(event(fields, msg), policy));

describe('redaction by field name', () => {
  test.each([
    ['authorization', 'Bearer abc'],
    ['Authorization', 'Bearer abc'],
    ['x-api-key', 'k'],
    ['apiKey', 'k'],
    ['api_key', 'k'],
    ['x-goog-api-key', 'k'],
    ['cookie', 'a=b'],
    ['key', 'k'],
    ['raw', 'k'],
    ['password', 'p'],
    ['secret', 's'],
    ['token', 't'],
    ['prompt', 'hello'],
    ['messages', [{ role: 'user', content: 'hello' }]],
    ['input', 'hello'],
    ['content', 'hello'],
    ['completion', 'hi'],
    ['body', { a: 1 }],
  ])('%s is redacted by default', (name, value) => {
    expect(line({ [name]: value })[name]).toBe(REDACTED);
  });

  test('at any depth, in objects and in arrays', () => {
    const out = line({ request: { headers: { authorization: 'Bearer x', 'content-type': 'json' }, items: [{ prompt: 'p', n: 1 }] } });
    expect(out.request).toEqual({ headers: { authorization: REDACTED, 'content-type': 'json' }, items: [{ prompt: REDACTED, n: 1 }] });
  });

  test('ids, names and numbers pass: key_id, key_prefix, tokens, keys', () => {
    const fields = { key_id: 'k1', key_prefix: 'sk-aigw-3f9a', tokens: 12, keys: 3, provider: 'openai', status: 502 };
    expect(line(fields)).toMatchObject(fields);
  });

  test('AIGW_LOG_REDACT adds names (normalised as the defaults are); the defaults stay', () => {
    const policy = logPolicyFromEnv({ AIGW_LOG_REDACT: ' team_id , X-Tenant ,, ' });
    const out = line({ teamId: 't1', 'x-tenant': 'acme', authorization: 'a', model: 'gpt-4o' }, policy);
    expect(out).toMatchObject({ teamId: REDACTED, 'x-tenant': REDACTED, authorization: REDACTED, model: 'gpt-4o' });
  });

  test('AIGW_LOG_CONTENT=on keeps prompt and completion fields, never secrets', () => {
    const policy = logPolicyFromEnv({ AIGW_LOG_CONTENT: 'on', AIGW_LOG_REDACT: 'team' });
    const out = line({ prompt: 'hello', messages: [{ content: 'hi' }], authorization: 'Bearer x', key: 'k', team: 't' }, policy);
    expect(out).toMatchObject({ prompt: 'hello', messages: [{ content: 'hi' }], authorization: REDACTED, key: REDACTED, team: REDACTED });
  });

  test.each(['off', '', 'yes', 'true', 'ON '])('AIGW_LOG_CONTENT=%j other than on keeps content redacted', (value) => {
    const policy = logPolicyFromEnv({ AIGW_LOG_CONTENT: value });
    expect(policy.content).toBe(value.trim().toLowerCase() === 'on');
    if (!policy.content) expect(line({ prompt: 'hello' }, policy).prompt).toBe(REDACTED);
  });
});

describe('secrets in free text', () => {
  const virtualKey = `sk-aigw-${'A1b2'.repeat(10)}`;
  test.each([
    [`invalid key ${virtualKey} used`, virtualKey],
    ['provider said: Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwx', 'sk-proj-abcdefghijklmnopqrstuvwx'],
    ['anthropic sk-ant-api03-abcdefghijklmnopqrst', 'sk-ant-api03-abcdefghijklmnopqrst'],
    ['gemini AIzaSyA1234567890abcdefghijklmnopqrstu', 'AIzaSyA1234567890abcdefghijklmnopqrstu'],
    ['GET https://generativelanguage.googleapis.com/v1beta/models/x:generateContent?alt=sse&key=secret123 failed', 'secret123'],
    ['header Authorization: Bearer abc.def-ghi', 'abc.def-ghi'],
    ['connect redis://:hunter2@redis:6379/0 failed', 'hunter2'],
    ['postgres://aigw:pw0rd@postgres:5432/aigw', 'pw0rd'],
  ])('%s', (text, secret) => {
    const out = line({ error: text }, DEFAULTS, text);
    expect(JSON.stringify(out)).not.toContain(secret);
    expect(out.msg).toContain(REDACTED);
    expect(out.error).toContain(REDACTED);
  });

  test("a key's visible prefix (12 characters) is an id, not a secret", () => {
    expect(line({ note: 'key sk-aigw-3f9a revoked' }).note).toBe('key sk-aigw-3f9a revoked');
  });
});

describe('errors', () => {
  test('name, message and code; no stack, no body, no response', () => {
    const error = Object.assign(new Error('upstream said no'), { code: 'ECONNRESET', body: 'the prompt', response: { data: 'the completion' } });
    expect(line({ error }).error).toEqual({ name: 'Error', message: 'upstream said no', code: 'ECONNRESET' });
  });

  test("JSON.parse's quote of the text it failed on (a request body) is cut, unless content is on", () => {
    let error: Error | undefined;
    try {
      JSON.parse('ZQXJ7 said');
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toContain('ZQXJ7'); // V8 does quote it
    expect(JSON.stringify(line({ error }))).not.toContain('ZQXJ7');
    expect(JSON.stringify(line({ error: error?.message }))).not.toContain('ZQXJ7');
    expect(JSON.stringify(line({ error }, logPolicyFromEnv({ AIGW_LOG_CONTENT: 'on' })))).toContain('ZQXJ7');
  });
});

describe('bounds', () => {
  test('depth is bounded', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    expect(JSON.stringify(line({ deep }))).toContain('[too deep]');
  });

  test('circular values end in a marker', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    expect(line({ a }).a).toEqual({ name: 'a', self: '[circular]' });
  });

  test('long arrays and strings are cut with a marker', () => {
    const out = line({ list: Array.from({ length: 80 }, (_, i) => i), note: 'x'.repeat(LOG_LIMITS.stringChars + 10) });
    expect(out.list).toHaveLength(LOG_LIMITS.items + 1);
    expect((out.list as unknown[]).at(-1)).toBe('[+30 more]');
    expect(String(out.note)).toMatch(/…\[truncated 10 chars\]$/);
  });

  test(`a line is at most ${LOG_LIMITS.lineBytes} bytes, valid JSON, marked truncated, keeping the head and what fits`, () => {
    const fields: Record<string, unknown> = { small: 1 };
    for (let i = 0; i < 10; i++) fields[`big${i}`] = 'y'.repeat(3000);
    const text = formatLogLine({ ...event(fields), context: { requestId: 'r1', traceId: 't'.repeat(32) } }, DEFAULTS);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(LOG_LIMITS.lineBytes);
    const out = JSON.parse(text);
    expect(out).toMatchObject({ level: 'info', service: 'relay', msg: 'event', request_id: 'r1', small: 1, truncated: true });
    expect(Object.keys(out).filter((k) => k.startsWith('big')).length).toBeGreaterThan(0);
  });

  test('a short line is not marked truncated', () => {
    expect(line({ a: 1 }).truncated).toBeUndefined();
  });

  test('time grows linearly: 64 times the input takes well under 64² times as long', () => {
    const timed = (n: number): number => {
      const fields = { list: Array.from({ length: n }, () => ({ text: `${'a'.repeat(n)}?key=x Bearer y` })) };
      const started = process.hrtime.bigint();
      for (let i = 0; i < 20; i++) formatLogLine(event(fields), DEFAULTS);
      return Number(process.hrtime.bigint() - started);
    };
    timed(8);
    const small = timed(50);
    const large = timed(3200);
    // Bounded: items and string length are capped, so 64x input is nowhere near 64x² the work.
    expect(large / small).toBeLessThan(400);
  });
});

describe('the line', () => {
  test("fields named like the line's own keys do not replace them", () => {
    const out = line({ level: 'error', msg: 'forged', request_id: 'forged', time: 0, model: 'm' });
    expect(out).toMatchObject({ level: 'info', msg: 'event', model: 'm' });
    expect(out.request_id).toBeUndefined();
    expect(typeof out.time).toBe('string');
  });

  test('createLogger: service, component, the context ids, redaction; below the level nothing', () => {
    const lines: string[] = [];
    const log = createLogger('billing', 'info', { service: 'relay', write: (l) => lines.push(l), policy: DEFAULTS });
    runWithLogContext({ requestId: 'req-1', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }, () => {
      log.debug('hidden');
      log.warn('settled', { authorization: 'Bearer x', amount: 3 });
    });
    log.info('outside');
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed).toEqual([
      {
        time: expect.any(String),
        level: 'warn',
        service: 'relay',
        component: 'billing',
        msg: 'settled',
        request_id: 'req-1',
        trace_id: 'a'.repeat(32),
        span_id: 'b'.repeat(16),
        authorization: REDACTED,
        amount: 3,
      },
      { time: expect.any(String), level: 'info', service: 'relay', component: 'billing', msg: 'outside' },
    ]);
  });

  test('a sink that throws does not throw into the caller', () => {
    const log = createLogger('x', 'info', {
      write: () => {
        throw new Error('EPIPE');
      },
    });
    expect(() => log.info('still fine')).not.toThrow();
  });
});
