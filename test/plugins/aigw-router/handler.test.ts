/**
 * aigw-router's access phase with a fake Kong and a fake embedder: which PDK calls a request
 * costs, the decision it hands aigw-proxy in the identity, the key's allow-list applied to the
 * chosen model, the listing's router names, and failing open. lib/router's policy itself is
 * tested in test/lib/router; the real chain in test/e2e/router.test.ts.
 */

import { Registry } from 'prom-client';
import { IDENTITY_CTX_KEY, type ModelPolicy, restoreIdentity } from '../../../lib/identity';
import type { Kong } from '../../../lib/kong/pdk';
import type { RouteDecision } from '../../../lib/router/decision';
import type { RouterConfig } from '../../../plugins/aigw-router/config';
import { RouterHandler, withinAllowlist } from '../../../plugins/aigw-router/handler';
import { RouterMetrics } from '../../../plugins/aigw-router/metrics';

const ROUTER: RouterConfig['routers'][number] = {
  name: 'auto',
  candidates: ['cheap', 'strong'],
  default_model: 'cheap',
  rules: [{ name: 'tool_result', model: 'cheap', when: { last_role: 'tool' } }],
  semantic: { threshold: 0.9, routes: [{ name: 'coding', model: 'strong', utterances: ['fix my code'] }] },
  difficulty: { weak_model: 'cheap', strong_model: 'strong', strong_share: 0.3, scorer: 'heuristic' },
};

function config(routers: RouterConfig['routers'] = [ROUTER]): RouterConfig {
  return { routers, embed_deadline_ms: 200, max_request_body_bytes: 1 << 20 };
}

interface Seen {
  calls: string[];
  shared: Record<string, unknown>;
  exit: { status: number; body: unknown } | null;
  warnings: string[];
}

function identity(model: string, models: ModelPolicy = { keyModels: [], teamModels: [], aliases: [] }): Record<string, unknown> {
  return { requestId: 'r1', contentLength: 100, keyId: 'k1', keyAlias: null, role: 'user', model, budgets: [], rateSubjects: [], admittedAt: 1, models };
}

function fakeKong(body: unknown, ident: Record<string, unknown> | undefined, path = '/v1/chat/completions'): { kong: Kong; seen: Seen } {
  const raw = Buffer.from(body === undefined ? '' : JSON.stringify(body));
  const seen: Seen = { calls: [], shared: ident ? { [IDENTITY_CTX_KEY]: ident } : {}, exit: null, warnings: [] };
  const call =
    <T>(name: string, value: () => T) =>
    async (..._args: unknown[]): Promise<T> => {
      seen.calls.push(name);
      return value();
    };
  const kong = {
    request: {
      getPath: call('get_path', () => path),
      getRawBody: call('get_raw_body', () => raw),
      getHeaders: call('get_headers', () => ({})),
      getHeader: async () => undefined,
    },
    nginx: { getVar: async () => 'r1' },
    response: { exit: async (status: number, text: string) => void (seen.exit = { status, body: JSON.parse(text) }) },
    ctx: {
      shared: {
        get: call('ctx.shared.get', () => seen.shared[IDENTITY_CTX_KEY]),
        set: async (key: string, value: unknown) => {
          seen.calls.push('ctx.shared.set');
          seen.shared[key] = value;
        },
      },
    },
    log: { warn: async (message: string) => void seen.warnings.push(message), err: async () => undefined, info: async () => undefined },
  } as unknown as Kong;
  return { kong, seen };
}

/** Vectors by text: `fix my code` and anything starting with it point the same way; the rest elsewhere. */
const embedder = {
  fail: false,
  async embed(texts: string[]) {
    if (this.fail) throw new Error('unavailable');
    return { model: 'test', vectors: texts.map((t) => Float32Array.from(t.startsWith('fix my code') ? [1, 0, 0] : [0, 1, 0.2])) };
  },
};

function handler(routers?: RouterConfig['routers']): { handler: RouterHandler; metrics: RouterMetrics } {
  const metrics = new RouterMetrics('aigw-router', new Registry());
  return { handler: new RouterHandler(config(routers), { embedTexts: (texts) => embedder.embed(texts), metrics, requestLog: null }), metrics };
}

const decisionOf = (seen: Seen): RouteDecision | undefined => restoreIdentity(seen.shared[IDENTITY_CTX_KEY])?.route;

beforeEach(() => {
  embedder.fail = false;
});

describe('aigw-router access', () => {
  it('costs no PDK call without routers, and one (the identity) for a model the key plugin read', async () => {
    const none = fakeKong({ model: 'auto' }, identity('auto'));
    await handler([]).handler.access(none.kong);
    expect(none.seen.calls).toEqual([]);
    const pinned = fakeKong({ model: 'strong' }, identity('strong'));
    await handler().handler.access(pinned.kong);
    expect(pinned.seen.calls).toEqual(['ctx.shared.get']);
  });

  it('does nothing without an identity (aigw-proxy refuses that request)', async () => {
    const { kong, seen } = fakeKong({ model: 'auto' }, undefined);
    await handler().handler.access(kong);
    expect(seen.calls).toEqual(['ctx.shared.get']);
    expect(seen.exit).toBeNull();
  });

  it('reads the body when the identity has no model, and leaves a model that is no router alone', async () => {
    const { kong, seen } = fakeKong({ model: 'strong', messages: [{ role: 'user', content: 'hi' }] }, identity(''));
    await handler().handler.access(kong);
    expect(seen.calls).toEqual(['ctx.shared.get', 'get_path', 'get_raw_body']);
    expect(decisionOf(seen)).toBeUndefined();
  });

  it('hands the rule it matched to aigw-proxy in the identity, reading the body once', async () => {
    const body = {
      model: 'auto',
      messages: [
        { role: 'user', content: 'run the tests' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'run', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '42 passed' },
      ],
    };
    const { kong, seen } = fakeKong(body, identity(''));
    await handler().handler.access(kong);
    expect(seen.calls).toEqual(['ctx.shared.get', 'get_path', 'get_raw_body', 'ctx.shared.set']);
    expect(decisionOf(seen)).toEqual({ router: 'auto', model: 'cheap', route: 'tool_result', reason: 'rule:tool_result' });
  });

  it('matches a semantic route by its embedding', async () => {
    const { kong, seen } = fakeKong({ model: 'auto', messages: [{ role: 'user', content: 'fix my code please' }] }, identity('auto'));
    await handler().handler.access(kong);
    expect(decisionOf(seen)).toMatchObject({ router: 'auto', model: 'strong', route: 'coding' });
  });

  it('keeps the decision to the models the key may use', async () => {
    const policy = { keyModels: ['cheap', 'auto'], teamModels: [], aliases: [] };
    const { kong, seen } = fakeKong({ model: 'auto', messages: [{ role: 'user', content: 'fix my code please' }] }, identity('auto', policy));
    await handler().handler.access(kong);
    expect(decisionOf(seen)).toEqual({ router: 'auto', model: 'cheap', route: 'allowlist', reason: 'allowlist:coding' });
  });

  it("refuses a key that may use none of the candidates, in the client's shape", async () => {
    const policy = { keyModels: ['auto'], teamModels: [], aliases: [] };
    const { kong, seen } = fakeKong({ model: 'auto', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }, identity('auto', policy), '/v1/messages');
    await handler().handler.access(kong);
    expect(seen.exit).toEqual({ status: 403, body: { type: 'error', error: { type: 'permission_error', message: expect.stringContaining('`auto`') } } });
    expect(decisionOf(seen)).toBeUndefined();
  });

  it('fails open to the default model when the embedder fails, counted and logged', async () => {
    embedder.fail = true;
    const { handler: h, metrics } = handler();
    const { kong, seen } = fakeKong({ model: 'auto', messages: [{ role: 'user', content: 'fix my code please' }] }, identity('auto'));
    await h.access(kong);
    expect(decisionOf(seen)).toEqual({ router: 'auto', model: 'cheap', route: 'default', reason: 'fallback:embedder_unavailable' });
    expect(seen.warnings.join('\n')).toContain('routing failed open');
    expect(await metrics.registry.metrics()).toMatch(/aigw_router_fail_open_total\{router="auto",stage="embedder_unavailable"\} 1/);
  });

  it('fails open when reading the request breaks after the router is known', async () => {
    const { kong, seen } = fakeKong({}, identity('auto'));
    (kong.request as unknown as { getRawBody: () => Promise<never> }).getRawBody = async () => {
      throw new Error('socket closed');
    };
    await handler().handler.access(kong);
    expect(decisionOf(seen)).toEqual({ router: 'auto', model: 'cheap', route: 'default', reason: 'fallback:error' });
    expect(seen.exit).toBeNull();
  });

  it('names the routers the key may send on a listing, and none it may not', async () => {
    const listing = fakeKong(undefined, identity(''), '/v1/models');
    await handler().handler.access(listing.kong);
    expect(restoreIdentity(listing.seen.shared[IDENTITY_CTX_KEY])?.routers).toEqual(['auto']);
    const cheapOnly = fakeKong(undefined, identity('', { keyModels: ['cheap'], teamModels: [], aliases: [] }), '/v1beta/models');
    await handler().handler.access(cheapOnly.kong);
    expect(cheapOnly.seen.calls).toEqual(['ctx.shared.get', 'get_path']);
  });

  it('never reads a body larger than it may, and leaves a router name the key may not send to aigw-proxy', async () => {
    const large = fakeKong({ model: 'auto' }, { ...identity(''), contentLength: (1 << 20) + 1 });
    await handler().handler.access(large.kong);
    expect(large.seen.calls).toEqual(['ctx.shared.get', 'get_path']);
    const policy = { keyModels: ['cheap'], teamModels: [], aliases: [] };
    const google = fakeKong({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }, identity('', policy), '/v1beta/models/auto:generateContent');
    await handler().handler.access(google.kong);
    expect(google.seen.calls).toEqual(['ctx.shared.get', 'get_path']);
    expect(google.seen.exit).toBeNull();
    expect(decisionOf(google.seen)).toBeUndefined();
  });

  it('leaves out an invalid router and routes with the others', async () => {
    const broken = { ...ROUTER, name: 'broken', default_model: 'elsewhere' };
    const { kong, seen } = fakeKong({ model: 'broken', messages: [{ role: 'user', content: 'hi' }] }, identity('broken'));
    await handler([broken, ROUTER]).handler.access(kong);
    expect(seen.calls).toEqual(['ctx.shared.get']);
  });
});

describe('withinAllowlist', () => {
  const cascade: RouteDecision = {
    router: 'auto',
    model: 'cheap',
    route: 'cascade',
    reason: 'cascade',
    cascade: { escalate_to: 'strong', checks: [{ kind: 'json' }] },
  };

  it('keeps a cascade only when the key may use the model it escalates to', () => {
    expect(withinAllowlist(cascade, ['cheap', 'strong'], 'cheap')).toBe(cascade);
    expect(withinAllowlist(cascade, ['cheap'], 'cheap')).toEqual({ router: 'auto', model: 'cheap', route: 'allowlist', reason: 'allowlist:cascade' });
  });

  it('falls back to the first usable candidate when the default is not usable either', () => {
    expect(withinAllowlist({ router: 'auto', model: 'strong', route: 'strong', reason: 'difficulty:0.9>=0.7' }, ['mid'], 'cheap')).toMatchObject({
      model: 'mid',
      route: 'allowlist',
    });
  });
});

describe('the decision through kong.ctx.shared', () => {
  it('survives a Lua round trip: an empty check list that came back as an object, nulls gone', () => {
    const back = restoreIdentity({
      ...identity('auto'),
      route: { router: 'auto', model: 'cheap', route: 'cascade', reason: 'cascade', cascade: { escalate_to: 'strong', checks: {} } },
    });
    expect(back?.route).toEqual({ router: 'auto', model: 'cheap', route: 'cascade', reason: 'cascade', cascade: { escalate_to: 'strong', checks: [] } });
    expect(restoreIdentity({ ...identity('auto'), route: { router: 'auto' } })?.route).toBeUndefined();
  });
});
