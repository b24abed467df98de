import { ANY_MODEL, type ModelPolicy, resolveModelName, restoreIdentity, usableModelNames } from '../../lib/identity';

const configured = new Set(['gpt-4o-mini', 'gpt-4o', 'claude']);

describe('model policy', () => {
  it("rewrites an alias, then checks the key's and the team's lists", () => {
    const policy: ModelPolicy = {
      keyModels: ['gpt-4o-mini'],
      teamModels: [],
      aliases: [
        ['fast', 'gpt-4o-mini'],
        ['big', 'gpt-4o'],
      ],
    };
    expect(resolveModelName(policy, 'fast')).toEqual({ model: 'gpt-4o-mini', allowed: true });
    expect(resolveModelName(policy, 'big')).toEqual({ model: 'gpt-4o', allowed: false });
    expect(resolveModelName({ ...policy, keyModels: [], teamModels: ['claude'] }, 'gpt-4o-mini').allowed).toBe(false);
  });

  it('lists configured models and aliases the key may send, in config order then alias order', () => {
    expect(usableModelNames(ANY_MODEL, configured)).toEqual(['gpt-4o-mini', 'gpt-4o', 'claude']);
    const policy: ModelPolicy = {
      keyModels: ['gpt-4o-mini', 'gpt-9'],
      teamModels: [],
      aliases: [
        ['fast', 'gpt-4o-mini'],
        ['ghost', 'gpt-9'],
        ['big', 'gpt-4o'],
      ],
    };
    expect(usableModelNames(policy, configured)).toEqual(['gpt-4o-mini', 'fast']);
  });

  it('an alias shadowing a configured name means its target', () => {
    const policy: ModelPolicy = { keyModels: ['claude'], teamModels: [], aliases: [['gpt-4o', 'claude']] };
    expect(usableModelNames(policy, configured)).toEqual(['gpt-4o', 'claude']);
  });

  it('survives the kong.ctx.shared round trip: missing lists, odd values, names like __proto__', () => {
    const base = { keyId: 'k', role: 'user', budgets: [], rateSubjects: [], admittedAt: 1, promptTokensEstimate: 0 };
    expect(restoreIdentity({ ...base })?.models).toEqual(ANY_MODEL);
    const restored = restoreIdentity({ ...base, models: { keyModels: {}, teamModels: ['a', 7], aliases: [['__proto__', 'a'], ['x'], 'y'] } });
    expect(restored?.models).toEqual({ keyModels: [], teamModels: ['a'], aliases: [['__proto__', 'a']] });
    expect(resolveModelName(restored!.models, '__proto__')).toEqual({ model: 'a', allowed: true });
    expect(resolveModelName(restored!.models, 'constructor')).toEqual({ model: 'constructor', allowed: false });
  });

  it('keeps the request id and Content-Length the key plugin read, or marks them unknown', () => {
    const base = { keyId: 'k', role: 'user', budgets: [], rateSubjects: [], admittedAt: 1, promptTokensEstimate: 0 };
    expect(restoreIdentity({ ...base, requestId: 'abc', contentLength: 12 })).toMatchObject({ requestId: 'abc', contentLength: 12 });
    expect(restoreIdentity({ ...base })).toMatchObject({ requestId: '', contentLength: null });
  });

  it("keeps a team's cache settings only when well formed and not the default; a missing ttl is the route's (null)", () => {
    const base = { keyId: 'k', role: 'user', budgets: [], rateSubjects: [], admittedAt: 1, promptTokensEstimate: 0 };
    expect(restoreIdentity({ ...base })?.teamCache).toBeUndefined();
    expect(restoreIdentity({ ...base, teamCache: { mode: 'exact', ttlSeconds: 600 } })?.teamCache).toEqual({ mode: 'exact', ttlSeconds: 600 });
    // Through kong.ctx.shared a null ttl comes back missing.
    expect(restoreIdentity({ ...base, teamCache: { mode: 'off' } })?.teamCache).toEqual({ mode: 'off', ttlSeconds: null });
    expect(restoreIdentity({ ...base, teamCache: { mode: 'on', ttlSeconds: 2_592_000 } })?.teamCache).toEqual({ mode: 'on', ttlSeconds: 2_592_000 });
    for (const teamCache of [
      { mode: 'on' },
      { mode: 'on', ttlSeconds: null },
      { mode: 'semantic' },
      { mode: 'OFF' },
      { ttlSeconds: 60 },
      { mode: 'exact', ttlSeconds: 0 },
      { mode: 'exact', ttlSeconds: 1.5 },
      { mode: 'exact', ttlSeconds: 2_592_001 },
      { mode: 'exact', ttlSeconds: '60' },
      ['off'],
      'off',
      null,
    ]) {
      expect({ teamCache, restored: restoreIdentity({ ...base, teamCache })?.teamCache }).toEqual({ teamCache, restored: undefined });
    }
  });
});
