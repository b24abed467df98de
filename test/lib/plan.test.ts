import { type RoutePlan, sha256Hex, signPlan, verifyPlan } from '../../lib/plan';

const secret = 'x'.repeat(40);
const body = Buffer.from('{"model":"gpt-4o-mini","messages":[]}');

function plan(overrides: Partial<RoutePlan> = {}): RoutePlan {
  return {
    v: 1,
    requestId: 'a'.repeat(32),
    endpoint: 'chat.completions',
    model: 'gpt-4o-mini',
    targets: [
      {
        provider: 'openai',
        baseUrl: 'https://api.openai.com/v1',
        model: 'gpt-4o-mini',
        credential: 'OPENAI_API_KEY',
        timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1, totalMs: 1 },
        pricing: null,
      },
    ],
    bodySha256: sha256Hex(body),
    expiresAt: Date.now() + 30_000,
    ...overrides,
  };
}

describe('route plan signing', () => {
  it('accepts a plan signed with the shared secret', () => {
    const p = plan();
    const check = verifyPlan(signPlan(p, secret), p.requestId, body, secret);
    expect(check).toEqual({ ok: true, plan: p });
  });

  it.each([
    ['a different secret', (s: ReturnType<typeof signPlan>) => s, 'y'.repeat(40), plan().requestId, body, 'invalid route plan signature'],
    ['another request id', (s: ReturnType<typeof signPlan>) => s, secret, 'b'.repeat(32), body, 'invalid route plan signature'],
    [
      'a tampered plan',
      (s: ReturnType<typeof signPlan>) => ({ ...s, plan: s.plan.slice(0, -2) + 'AA' }),
      secret,
      plan().requestId,
      body,
      'invalid route plan signature',
    ],
    ['another body', (s: ReturnType<typeof signPlan>) => s, secret, plan().requestId, Buffer.from('{}'), 'request body does not match the route plan'],
    ['no signature', (s: ReturnType<typeof signPlan>) => ({ plan: s.plan }), secret, plan().requestId, body, 'missing signed route plan'],
  ])('rejects %s', (_name, mutate, verifySecret, requestId, verifyBody, reason) => {
    const signed = mutate(signPlan(plan(), secret));
    expect(verifyPlan(signed, requestId, verifyBody, verifySecret)).toEqual({ ok: false, reason });
  });

  it.each([
    ['in upper case', (sig: string) => sig.toUpperCase()],
    ['with one hex digit appended', (sig: string) => sig + 'a'],
    ['with hex appended', (sig: string) => sig + 'ab'],
    ['with anything appended', (sig: string) => sig + 'zz'],
    ['truncated to an odd length', (sig: string) => sig.slice(0, -1)],
    ['with surrounding space', (sig: string) => ` ${sig}`],
  ])('accepts the signature only as exactly 64 lower-case hex characters, not %s', (_name, mangle) => {
    const p = plan();
    const signed = signPlan(p, secret);
    expect(verifyPlan(signed, p.requestId, body, secret).ok).toBe(true);
    expect(verifyPlan({ ...signed, signature: mangle(signed.signature) }, p.requestId, body, secret)).toEqual({
      ok: false,
      reason: 'invalid route plan signature',
    });
  });

  it('rejects an expired plan', () => {
    const p = plan({ expiresAt: Date.now() - 1 });
    expect(verifyPlan(signPlan(p, secret), p.requestId, body, secret)).toEqual({ ok: false, reason: 'route plan expired' });
  });

  it('rejects a plan presented with a request id other than its own', () => {
    const p = plan();
    const signed = signPlan({ ...p, requestId: 'c'.repeat(32) }, secret);
    expect(verifyPlan(signed, p.requestId, body, secret).ok).toBe(false);
  });
});
