/**
 * previous_response_id at the relay, on a real Redis: a continuation gets the kept context before
 * its own input (and no previous_response_id), only within its tenant; what is kept is the input
 * and the answer's output as input items; store: false, a request without a tenant, or keeping
 * off keep nothing, and continuing then is the 400 OpenAI gives for an unknown id.
 */
import Redis from 'ioredis';
import type { Logger } from '../../../../lib/log';
import type { PlanBilling, RoutePlan } from '../../../../lib/plan';
import { ResponseStore } from '../../../../lib/responses';
import { continueResponse, type ResponseKeeping } from '../../../../sidecars/relay/responses/continuation';
import { freePort } from '../../../harness/stores/ports';
import { type RedisFixture, redisFixture } from '../../../lib/limits/fixture';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let fx: RedisFixture;
let keeping: ResponseKeeping;

beforeAll(async () => {
  fx = await redisFixture();
  keeping = { store: new ResponseStore(fx.redis), ttlSeconds: 60 };
});

afterAll(async () => {
  await fx.close();
});

function billing(keyId: string, teamId: string | null): PlanBilling {
  return { keyId, teamId, userId: null, promptTokensEstimate: 0, reservedNano: 0, budgets: [], rateSubjects: [], admittedAt: 0 };
}

function plan(payer: PlanBilling | undefined, endpoint: RoutePlan['endpoint'] = 'responses'): RoutePlan {
  return { v: 1, requestId: 'r1', endpoint, model: 'm', targets: [], bodySha256: '', expiresAt: 0, billing: payer };
}

const alice = billing('k-alice', 'team-a');
const answer = {
  id: 'resp_first',
  output: [
    { id: 'rs_1', type: 'reasoning', summary: [] },
    { id: 'msg_1', type: 'message', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Paris is sunny.', annotations: [] }] },
    { id: 'fc_1', type: 'function_call', status: 'completed', call_id: 'call_1', name: 'get_time', arguments: '{}' },
  ],
};

describe('continueResponse', () => {
  it('keeps the input and the answer, and a continuation gets them before its own input', async () => {
    const first = await continueResponse({ model: 'm', input: 'Weather in Paris?' }, plan(alice), keeping, quiet);
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.body).toEqual({ model: 'm', input: 'Weather in Paris?' });
    await first.value.keeper!.keep(answer);

    const next = await continueResponse(
      { model: 'm', previous_response_id: 'resp_first', input: [{ type: 'function_call_output', call_id: 'call_1', output: 'noon' }] },
      plan(billing('k-bob', 'team-a')),
      keeping,
      quiet,
    );
    if (!next.ok) throw new Error(next.error.message);
    expect(next.value.continues).toBe('resp_first');
    expect(next.value.body).toEqual({
      model: 'm',
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: 'Paris is sunny.' },
        { type: 'function_call', call_id: 'call_1', name: 'get_time', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'noon' },
      ],
    });
  });

  it.each([
    ['another team', billing('k-eve', 'team-e')],
    ['a teamless key', billing('k-alice', null)],
    ['no tenant at all', undefined],
  ])('refuses to continue from %s with previous_response_not_found', async (_name, payer) => {
    const out = await continueResponse({ model: 'm', previous_response_id: 'resp_first', input: 'more' }, plan(payer), keeping, quiet);
    expect(out).toEqual({
      ok: false,
      error: expect.objectContaining({
        status: 400,
        code: 'previous_response_not_found',
        param: 'previous_response_id',
        message: "Previous response with id 'resp_first' not found.",
      }),
    });
  });

  it('with keeping off nothing is kept and nothing can be continued', async () => {
    const off = await continueResponse({ model: 'm', input: 'x' }, plan(alice), null, quiet);
    expect(off.ok && off.value.keeper).toBeNull();
    const refused = await continueResponse({ model: 'm', previous_response_id: 'resp_first' }, plan(alice), null, quiet);
    expect(refused.ok).toBe(false);
  });

  it('store: false and a token count keep nothing', async () => {
    const unstored = await continueResponse({ model: 'm', input: 'x', store: false }, plan(alice), keeping, quiet);
    expect(unstored.ok && unstored.value.keeper).toBeNull();
    const counted = await continueResponse({ model: 'm', input: 'x' }, plan(alice, 'responses.input_tokens'), keeping, quiet);
    expect(counted.ok && counted.value.keeper).toBeNull();
  });

  it('a Redis that cannot answer is a 503 gateway_unavailable, not a previous_response_not_found', async () => {
    const nobody = new Redis(await freePort(), '127.0.0.1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    nobody.on('error', () => undefined);
    try {
      const unreachable: ResponseKeeping = { store: new ResponseStore(nobody), ttlSeconds: 60 };
      const out = await continueResponse({ model: 'm', previous_response_id: 'resp_first' }, plan(alice), unreachable, quiet);
      expect(out).toMatchObject({ ok: false, error: { status: 503, code: 'gateway_unavailable' } });
    } finally {
      nobody.disconnect();
    }
  });
});
