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
});
