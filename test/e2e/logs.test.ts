/**
 * No key, prompt or completion in any log line: the whole gateway (the ingress, the four plugin
 * servers, the relay, the control API, the inference sidecar) at the default log level, then
 * again at debug, every line each process writes captured while traffic runs in every client
 * format, streamed and not, with requests that fail in ways that echo what they carried (a body
 * that does not parse, a provider error quoting the prompt, a key in the URL). Every prompt and
 * every completion holds a unique marker; none of the markers, the virtual key, the admin key,
 * a wrong key or the provider key may appear in any line. Lines written for a request carry its
 * request id, and the trace id of the traceparent it came with.
 */
import { randomBytes } from 'node:crypto';
import { type MockScript, mockDirective } from '../harness/mock-provider';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { uniqueName } from './helpers';

const local = localOnly('reads the log lines of processes it starts');

interface Captured {
  source: string;
  text: string;
}

/** Letters and digits only: the mock's tokenizer keeps each marker one token, so a stream sends it whole. */
const marker = (kind: string): string => `${kind}${randomBytes(8).toString('hex')}`;

class Traffic {
  /** Strings no log line may contain. */
  readonly forbidden = new Map<string, string>();
  /** Request id -> the trace id its traceparent named. */
  readonly traces = new Map<string, string>();
  readonly statuses: Record<string, number> = {};

  constructor(
    private readonly stack: DevStack,
    readonly virtualKey: string,
  ) {
    this.forbid('virtual key', virtualKey);
    this.forbid('admin key', stack.adminKey);
  }

  forbid(what: string, value: string): void {
    this.forbidden.set(value, what);
  }

  /** A prompt holding a new marker, and a mock script whose answer holds another. */
  prompt(name: string, script: MockScript = {}): { text: string; script: MockScript } {
    const said = marker('Pm');
    const answer = marker('Cm');
    this.forbid(`${name} prompt`, said);
    this.forbid(`${name} completion`, answer);
    return { text: `Please consider ${said} carefully`, script: { content: `The answer is ${answer} indeed`, ...script } };
  }

  async send(name: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const trace = randomBytes(16).toString('hex');
    const res = await fetch(this.stack.url + path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${this.virtualKey}`,
        traceparent: `00-${trace}-${randomBytes(8).toString('hex')}-01`,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    await res.text(); // streamed or not, read to the end
    this.statuses[name] = res.status;
    const id = res.headers.get('x-kong-request-id');
    if (id) this.traces.set(id, trace);
    return res;
  }

  async chat(name: string, stream: boolean, script?: MockScript): Promise<void> {
    const { text, script: answer } = this.prompt(name, script);
    await this.send(name, '/v1/chat/completions', {
      model: 'gpt-4o-mini',
      stream,
      messages: [{ role: 'user', content: `${text} ${mockDirective(answer)}` }],
    });
  }

  async messages(name: string, stream: boolean, script?: MockScript): Promise<void> {
    const { text, script: answer } = this.prompt(name, script);
    await this.send(
      name,
      '/v1/messages',
      { model: 'claude-sonnet-4-6', max_tokens: 64, stream, messages: [{ role: 'user', content: `${text} ${mockDirective(answer)}` }] },
      { authorization: '', 'x-api-key': this.virtualKey, 'anthropic-version': '2023-06-01' },
    );
  }

  async responses(name: string, stream: boolean): Promise<void> {
    const { text, script } = this.prompt(name);
    await this.send(name, '/v1/responses', { model: 'gpt-4o-mini', stream, input: `${text} ${mockDirective(script)}` });
  }

  async gemini(name: string, stream: boolean): Promise<void> {
    const { text, script } = this.prompt(name);
    const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    await this.send(
      name,
      `/v1beta/models/gemini-3.5-flash:${method}`,
      { contents: [{ role: 'user', parts: [{ text: `${text} ${mockDirective(script)}` }] }] },
      { authorization: '', 'x-goog-api-key': this.virtualKey },
    );
  }
}

async function driveTraffic(stack: DevStack): Promise<Traffic> {
  const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('logs-e2e') });
  expect(created.status).toBe(201);
  const traffic = new Traffic(stack, created.body.key as string);
  // A team and a key listing: admin calls with bodies and answers that hold the key's id and prefix.
  expect((await stack.admin('POST', '/admin/teams', { name: uniqueName('logs-team') })).status).toBe(201);
  expect((await stack.admin('GET', '/admin/keys')).status).toBe(200);

  for (const stream of [false, true]) {
    const how = stream ? 'streamed' : 'whole';
    await traffic.chat(`chat ${how}`, stream);
    await traffic.messages(`messages ${how}`, stream);
    await traffic.responses(`responses ${how}`, stream);
    await traffic.gemini(`gemini ${how}`, stream);
    // The provider fails, quoting the prompt back: retried, then given up (logged per attempt).
    const echo = marker('Ep');
    traffic.forbid('prompt quoted by the provider', echo);
    await traffic.chat(`provider 500 quoting the prompt, ${how}`, stream, {
      status: 500,
      errorBody: JSON.stringify({ error: { message: `The server had an error processing ${echo}`, type: 'server_error' } }),
    });
    await traffic.chat(`provider 400 quoting the prompt, ${how}`, stream, {
      status: 400,
      errorBody: JSON.stringify({ error: { message: `Invalid prompt: ${echo}`, type: 'invalid_request_error' } }),
    });
    await traffic.messages(`anthropic 529 quoting the prompt, ${how}`, stream, {
      status: 529,
      errorBody: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: `Overloaded while reading ${echo}` } }),
    });
  }

  // A long prompt: the compressor sends it to the inference sidecar.
  const long = traffic.prompt('long prompt');
  const filler = Array.from({ length: 50 }, (_, i) => `Sentence ${i} says ${long.text} about the weather and the sea.`).join(' ');
  await traffic.send('long prompt', '/v1/chat/completions', {
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: `${filler} ${mockDirective(long.script)}` }],
  });

  // Bodies the gateway refuses, which an error message could quote.
  const broken = marker('Bb');
  traffic.forbid('body that does not parse', broken);
  await traffic.send('body that does not parse', '/v1/chat/completions', `{"model":"gpt-4o-mini","messages":[{"role":"user","content":"${broken}`);
  const wrongType = marker('Wt');
  traffic.forbid('body of the wrong shape', wrongType);
  await traffic.send('body of the wrong shape', '/v1/chat/completions', { model: 'gpt-4o-mini', messages: wrongType });
  const notJsonAtAll = marker('Nj');
  traffic.forbid('body that is not JSON at all', notJsonAtAll);
  await traffic.send('body that is not JSON at all', '/v1/chat/completions', `${notJsonAtAll} plain words`);

  // Keys where they do not belong: in the URL (refused), and a key the gateway does not know.
  const { text } = traffic.prompt('key in the URL');
  await traffic.send(
    'key in the URL',
    `/v1beta/models/gemini-3.5-flash:generateContent?key=${encodeURIComponent(traffic.virtualKey)}`,
    { contents: [{ parts: [{ text }] }] },
    { authorization: '' },
  );
  const wrongKey = `sk-aigw-${randomBytes(30).toString('base64url').replace(/[-_]/g, 'x').slice(0, 40)}`;
  traffic.forbid('unknown key', wrongKey);
  const unknown = traffic.prompt('unknown key');
  await traffic.send(
    'unknown key',
    '/v1/chat/completions',
    { model: 'gpt-4o-mini', messages: [{ role: 'user', content: unknown.text }] },
    { authorization: `Bearer ${wrongKey}` },
  );
  const wrongAdmin = await fetch(`${stack.url}/admin/keys`, { headers: { authorization: `Bearer ${wrongKey}` } });
  expect(wrongAdmin.status).toBe(401);

  // The provider key the relay sent upstream (the mock saw it).
  const upstreamAuth = stack.mock.requests.map((r) => String(r.headers.authorization ?? r.headers['x-api-key'] ?? '')).find((v) => v.includes('sk-mock-'));
  expect(upstreamAuth).toBeDefined();
  traffic.forbid('provider key', String(upstreamAuth).replace(/^Bearer /, ''));
  return traffic;
}

/** What each run must show: the requests answered as expected, so the absence of leaks means something. */
function expectTrafficHappened(traffic: Traffic): void {
  for (const name of [
    'chat whole',
    'chat streamed',
    'messages whole',
    'messages streamed',
    'responses whole',
    'responses streamed',
    'gemini whole',
    'gemini streamed',
    'long prompt',
  ]) {
    expect({ name, status: traffic.statuses[name] }).toEqual({ name, status: 200 });
  }
  for (const name of [
    'body that does not parse',
    'body of the wrong shape',
    'body that is not JSON at all',
    'key in the URL',
    'provider 400 quoting the prompt, whole',
  ]) {
    expect({ name, status: (traffic.statuses[name] ?? 0) >= 400 && (traffic.statuses[name] ?? 0) < 500 }).toEqual({ name, status: true });
  }
  expect(traffic.statuses['unknown key']).toBe(401);
  expect(traffic.statuses['provider 500 quoting the prompt, whole']).toBeGreaterThanOrEqual(500);
}

function leaks(lines: Captured[], forbidden: Map<string, string>): string[] {
  const found: string[] = [];
  for (const line of lines) {
    for (const [value, what] of forbidden) if (line.text.includes(value)) found.push(`${what} in ${line.source}: ${line.text.slice(0, 400)}`);
  }
  return found;
}

function parsed(lines: Captured[], sources: string[]): Array<Record<string, unknown> & { source: string }> {
  return lines.filter((l) => sources.includes(l.source)).map((l) => ({ ...(JSON.parse(l.text) as Record<string, unknown>), source: l.source }));
}

local.describe('logs of the whole gateway', () => {
  describe.each([
    ['the default log level (info)', 'info'],
    ['debug', 'debug'],
  ])('at %s', (_title, level) => {
    let stack: DevStack;
    const lines: Captured[] = [];
    let traffic: Traffic;

    beforeAll(async () => {
      stack = await startDevStack({
        env: { AIGW_LOG_LEVEL: level },
        cache: true,
        inference: { env: { INFERENCE_WORKERS: '1' } },
        onSidecarLine: (source, text) => lines.push({ source, text }),
        onIngressLog: (entry) => lines.push({ source: `ingress:${entry.source}`, text: entry.message }),
      });
      traffic = await driveTraffic(stack);
      // Lines written after the answer (settlement, usage) have had time to come out.
      await waitFor(() => stack.usageRecords().length >= 8 || undefined, 10_000).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1000));
    }, 240_000);

    afterAll(async () => {
      await stack?.close();
    });

    test('the traffic ran as intended', () => {
      expectTrafficHappened(traffic);
      expect(lines.some((l) => l.source === 'relay')).toBe(true);
      expect(lines.some((l) => l.source.startsWith('ingress:aigw-'))).toBe(true);
    });

    test('no key, prompt or completion in any line of any process', () => {
      // Everything each sidecar wrote, stdout included, besides the lines as they came.
      const all = [
        ...lines,
        ...[stack.relay, stack.control, stack.inference!].map((p, i) => ({ source: `${['relay', 'control', 'inference'][i]} output`, text: p.output() })),
      ];
      expect(leaks(all, traffic.forbidden)).toEqual([]);
    });

    test("every sidecar line is one JSON object with the logger's fields", () => {
      for (const line of parsed(lines, ['relay', 'control', 'inference'])) {
        expect(line).toEqual(
          expect.objectContaining({
            time: expect.any(String),
            level: expect.any(String),
            service: expect.any(String),
            component: expect.any(String),
            msg: expect.any(String),
          }),
        );
      }
    });

    test("lines written for a request carry its request id, and its traceparent's trace id", () => {
      const relay = parsed(lines, ['relay']);
      const attempts = relay.filter((l) => l.msg === 'attempt failed');
      // The provider failures above: at least one attempt each.
      expect(attempts.length).toBeGreaterThanOrEqual(4);
      for (const line of attempts) {
        expect(line.request_id).toBe(line.requestId);
        expect({ request_id: line.request_id, trace_id: line.trace_id }).toEqual({
          request_id: line.request_id,
          trace_id: traffic.traces.get(String(line.request_id)),
        });
      }
      // Any relay line naming a request is that request's.
      for (const line of relay.filter((l) => l.requestId !== undefined)) expect(line.request_id).toBe(line.requestId);
      const created = parsed(lines, ['control']).filter((l) => l.msg === 'key created');
      expect(created.length).toBeGreaterThanOrEqual(1);
      for (const line of created) expect(line.request_id).toMatch(/^[0-9a-f]{32}$/);
    });
  });
});
