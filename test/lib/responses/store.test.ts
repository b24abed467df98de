/**
 * Kept responses in a real Redis: a tenant (the key's team, or a teamless key itself) reads only
 * its own, with the context's shape for budgets, for the time it was kept, and an oversized
 * context is not kept at all.
 */
import { ResponseStore, responseKeys, responseTenant } from '../../../lib/responses';
import { promptShape } from '../../../lib/tokens';
import { type RedisFixture, redisFixture } from '../limits/fixture';

let fx: RedisFixture;

beforeAll(async () => {
  fx = await redisFixture();
});

afterAll(async () => {
  await fx.close();
});

const context = [
  { role: 'user', content: 'What is the weather in Paris?' },
  { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
];

describe('ResponseStore', () => {
  it('a team reads what any of its keys kept; another team and a teamless key miss', async () => {
    const store = new ResponseStore(fx.redis);
    expect(await store.keep({ keyId: 'k1', teamId: 't1' }, 'resp_a', context, 60)).toBe(true);
    expect(await store.items({ keyId: 'k2', teamId: 't1' }, 'resp_a')).toEqual(context);
    expect(await store.items({ keyId: 'k1', teamId: 't2' }, 'resp_a')).toBeNull();
    expect(await store.items({ keyId: 'k1', teamId: null }, 'resp_a')).toBeNull();
    expect(await store.shape({ keyId: 'k3', teamId: 't2' }, 'resp_a')).toBeNull();
  });

  it('a teamless key is its own tenant', async () => {
    const store = new ResponseStore(fx.redis);
    await store.keep({ keyId: 'solo', teamId: null }, 'resp_b', context, 60);
    expect(await store.items({ keyId: 'solo', teamId: null }, 'resp_b')).toEqual(context);
    expect(await store.items({ keyId: 'other', teamId: null }, 'resp_b')).toBeNull();
  });

  it('keeps the shape of the context for budgets, and both keys expire together', async () => {
    const store = new ResponseStore(fx.redis);
    const owner = { keyId: 'k1', teamId: 't9' };
    await store.keep(owner, 'resp_c', context, 120);
    expect(await store.shape(owner, 'resp_c')).toEqual(promptShape({ input: context }, 'responses'));
    const keys = responseKeys(responseTenant(owner), 'resp_c');
    for (const key of [keys.items, keys.shape]) {
      const ttl = await fx.redis.ttl(key);
      expect(ttl).toBeGreaterThan(100);
      expect(ttl).toBeLessThanOrEqual(120);
    }
  });

  it('an id is data, not a key pattern: braces and colons stay inside the tenant', async () => {
    const store = new ResponseStore(fx.redis);
    await store.keep({ keyId: 'k1', teamId: 'ta' }, '}{resp:t:tb}:x', context, 60);
    expect(await store.items({ keyId: 'k1', teamId: 'tb' }, '}{resp:t:tb}:x')).toBeNull();
    expect(await store.items({ keyId: 'k1', teamId: 'ta' }, '}{resp:t:tb}:x')).toEqual(context);
  });

  it('does not keep a context above its size limit', async () => {
    const store = new ResponseStore(fx.redis, 64);
    expect(await store.keep({ keyId: 'k1', teamId: 't1' }, 'resp_big', [{ role: 'user', content: 'x'.repeat(100) }], 60)).toBe(false);
    expect(await store.items({ keyId: 'k1', teamId: 't1' }, 'resp_big')).toBeNull();
  });
});
