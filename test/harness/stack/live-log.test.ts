/**
 * `make dev`'s live log: one line per request, joined with the relay's usage record whichever
 * arrives first; the components' log lines at the level asked for, every field shown; and only
 * ids, names, numbers and codes (no header, query or body reaches it).
 */

import type { UsageRecord } from '../../../sidecars/relay/usage';
import type { AccessEntry } from '../kong-double';
import { LiveLog, pluginServerOutput } from './live-log';

const RELAY = '127.0.0.1:8787';
const at = new Date(2026, 11, 1, 15, 42, 1, 123);

function entry(over: Partial<AccessEntry> = {}): AccessEntry {
  return {
    requestId: 'a1b2c3',
    method: 'POST',
    path: '/v1/chat/completions',
    route: 'openai-chat-completions',
    service: 'ai-relay',
    upstream: RELAY,
    status: 200,
    latencyMs: 412,
    errorCode: null,
    ...over,
  };
}

function record(over: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId: 'a1b2c3',
    endpoint: 'chat.completions',
    model: 'gpt-4o-mini',
    provider: 'openai',
    providerModel: 'gpt-4o-mini-2024-07-18',
    stream: true,
    status: 200,
    outcome: 'ok',
    usage: { promptTokens: 12, completionTokens: 20, totalTokens: 32, cachedTokens: 0, reasoningTokens: 0 },
    costNano: 15_000,
    keyId: 'k',
    teamId: null,
    startedAt: 0,
    firstByteMs: 5,
    durationMs: 400,
    ...over,
  };
}

function live(over: { level?: 'debug' | 'info' | 'warn' | 'error' } = {}): { log: LiveLog; lines: string[] } {
  const lines: string[] = [];
  const log = new LiveLog({ write: (l) => lines.push(l), now: () => at, ...over });
  log.start(RELAY);
  return { log, lines };
}

const JOINED =
  '15:42:01.123 a1b2c3 200 POST /v1/chat/completions route=openai-chat-completions model=gpt-4o-mini via=openai/gpt-4o-mini-2024-07-18 stream tokens=12+20 cost=$0.000015 412ms';

it('names what compression saved, or that it failed open', () => {
  const saved = live();
  saved.log.usage(record({ compression: { method: 'question_aware', outcome: 'compressed', tokensSaved: 1401, savedNano: 210_000 } }));
  saved.log.access(entry());
  expect(saved.lines).toEqual([JOINED.replace(' 412ms', ' compressed=question_aware-1401(saved $0.000210) 412ms')]);
  const failed = live();
  failed.log.usage(record({ compression: { method: 'structured', outcome: 'failed_open', tokensSaved: 0, savedNano: 0 } }));
  failed.log.access(entry());
  expect(failed.lines).toEqual([JOINED.replace(' 412ms', ' compression=structured:failed_open 412ms')]);
});

it('joins a relayed request with its usage record, whichever comes first', () => {
  const first = live();
  first.log.access(entry());
  expect(first.lines).toEqual([]); // waits for the record
  first.log.usage(record());
  expect(first.lines).toEqual([JOINED]);

  const second = live();
  second.log.usage(record());
  second.log.access(entry());
  expect(second.lines).toEqual([JOINED]);
});

it('a relayed request whose record never comes is shown after the wait, without it', () => {
  jest.useFakeTimers();
  try {
    const { log, lines } = live();
    log.access(entry({ requestId: 'lost', status: 401 }));
    jest.advanceTimersByTime(1999);
    expect(lines).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(lines).toEqual(['15:42:01.123 lost 401 POST /v1/chat/completions route=openai-chat-completions model=- 412ms']);
  } finally {
    jest.useRealTimers();
  }
});

it('a request Kong or a plugin answered is shown at once, with its error code; failures show their outcome', () => {
  const { log, lines } = live();
  log.access(entry({ requestId: 'r1', upstream: null, status: 401, latencyMs: 3, errorCode: 'invalid_api_key' }));
  log.access(entry({ requestId: 'r2', upstream: '127.0.0.1:8788', method: 'GET', path: '/admin/teams', route: 'aigw-admin', latencyMs: 9 }));
  log.usage(record({ requestId: 'r3', status: 502, outcome: 'upstream_error', usage: null, costNano: 0, stream: false }));
  log.access(entry({ requestId: 'r3', status: 502, latencyMs: 566 }));
  expect(lines).toEqual([
    '15:42:01.123 r1 401 POST /v1/chat/completions route=openai-chat-completions model=- error=invalid_api_key 3ms',
    '15:42:01.123 r2 200 GET /admin/teams route=aigw-admin model=- 9ms',
    '15:42:01.123 r3 502 POST /v1/chat/completions route=openai-chat-completions model=gpt-4o-mini via=openai/gpt-4o-mini-2024-07-18 outcome=upstream_error 566ms',
  ]);
});

it("the sidecars' JSON lines in full at the level asked for; anything else as it came", () => {
  const { log, lines } = live({ level: 'info' });
  log.sidecarLine('relay', JSON.stringify({ time: at.toISOString(), level: 'debug', component: 'relay', msg: 'routing', requestId: 'x' }));
  log.sidecarLine(
    'relay',
    JSON.stringify({
      time: at.toISOString(),
      level: 'error',
      component: 'relay',
      msg: 'credential unavailable',
      requestId: 'x',
      credential: 'OPENAI_API_KEY',
      reason: 'not set in the environment',
    }),
  );
  log.sidecarLine('control', 'TypeError: boom');
  expect(lines).toEqual([
    '15:42:01.123 relay error credential unavailable requestId=x credential=OPENAI_API_KEY reason="not set in the environment"',
    '15:42:01.123 control TypeError: boom',
  ]);
  const debug = live({ level: 'debug' });
  debug.log.sidecarLine('relay', JSON.stringify({ time: at.toISOString(), level: 'debug', component: 'relay', msg: 'routing', requestId: 'x' }));
  expect(debug.lines).toEqual(['15:42:01.123 relay debug routing requestId=x']);
});

it("plugin and ingress lines by level; the plugin server's redraw fragments and colours are dropped", () => {
  const { log, lines } = live({ level: 'info' });
  const time = at.getTime();
  log.ingressLog({ level: 'debug', source: 'ingress', message: 'not shown', time });
  log.ingressLog({ level: 'err', source: 'aigw-proxy', message: 'aigw-proxy failed: redis down', time });
  log.ingressLog({ level: 'info', source: 'aigw-proxy', message: '[aigw-proxy:11766] 2026-12-01T15:45:39.722Z \u001b[0m', time });
  log.ingressLog({ level: 'info', source: 'aigw-proxy', message: '[aigw-proxy:11766] \u001b[1A\u001b[K', time });
  log.ingressLog({
    level: 'info',
    source: 'aigw-proxy',
    message: '[aigw-proxy:11766] \u001b[1A2026-12-01T15:45:39.722Z \u001b[0m\u001b[42m\u001b[30m[INFO]\u001b[0m',
    time,
  });
  log.ingressLog({
    level: 'info',
    source: 'aigw-proxy',
    message:
      '[aigw-proxy:11766] \u001b[1A2026-12-01T15:45:39.722Z \u001b[0m\u001b[42m\u001b[30m[INFO]\u001b[0m \u001b[0m\u001b[32minstance #0 of aigw-proxy started\u001b[0m',
    time,
  });
  log.ingressLog({
    level: 'info',
    source: 'aigw-proxy',
    message: '[aigw-proxy:11766] 2026-12-01T15:45:39.722Z [WARN] unhandled exception in aigw-proxy.access on instance #0: boom',
    time,
  });
  expect(lines).toEqual([
    '15:42:01.123 aigw-proxy err aigw-proxy failed: redis down',
    '15:42:01.123 aigw-proxy info instance #0 of aigw-proxy started',
    '15:42:01.123 aigw-proxy warn unhandled exception in aigw-proxy.access on instance #0: boom',
  ]);
  expect(pluginServerOutput('notice', 'test ingress listening')).toEqual({ level: 'notice', text: 'test ingress listening' });
});

it("a plugin's JSON line (lib/kong/log.ts) is shown like a sidecar's, by its own level", () => {
  const { log, lines } = live({ level: 'info' });
  const line = (level: string) =>
    JSON.stringify({
      time: at.toISOString(),
      level,
      service: 'aigw-semantic-cache',
      component: 'aigw-semantic-cache',
      msg: 'lookup failed',
      request_id: 'r1',
      stage: 'embedding',
    });
  log.ingressLog({ level: 'warn', source: 'aigw-semantic-cache', message: line('debug'), time: at.getTime() });
  log.ingressLog({ level: 'warn', source: 'aigw-semantic-cache', message: line('warn'), time: at.getTime() });
  log.sidecarLine('relay', JSON.stringify({ time: at.toISOString(), level: 'warn', service: 'relay', component: 'billing', msg: 'late' }));
  expect(lines).toEqual(['15:42:01.123 aigw-semantic-cache warn lookup failed request_id=r1 stage=embedding', '15:42:01.123 billing warn late service=relay']);
});

it('nothing before start() (startup) or after close() (shutdown); close() shows what still waited', () => {
  const lines: string[] = [];
  const log = new LiveLog({ write: (l) => lines.push(l), now: () => at });
  log.access(entry({ requestId: 'early' }));
  log.sidecarLine('relay', JSON.stringify({ level: 'info', component: 'relay', msg: 'relay listening' }));
  expect(lines).toEqual([]);
  log.start(RELAY);
  log.access(entry({ requestId: 'pending' }));
  log.close();
  expect(lines).toEqual(['15:42:01.123 pending 200 POST /v1/chat/completions route=openai-chat-completions model=- 412ms']);
  log.ingressLog({ level: 'notice', source: 'ingress', message: 'terminated', time: at.getTime() });
  expect(lines).toHaveLength(1);
});
