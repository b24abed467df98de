/**
 * The typed schema builder: the Kong fields it writes (attribute order kept) and the config type it
 * infers. The type checks are compile-time: `tsc` (make build) fails if an inferred type drifts.
 */
import { RETRY_POLICY_DEFAULT, TARGET_TIMEOUTS_DEFAULT } from '../../../lib/gateway-defaults';
import { array, boolean, type ConfigOf, integer, oneOf, record, schemaOf, string } from '../../../lib/kong/schema-builder';
import type { AiProxyConfig, GroupTargetConfig } from '../../../plugins/aigw-proxy/config';
import { Schema as ProxySchema } from '../../../plugins/aigw-proxy/schema';
import type { VirtualKeyConfig } from '../../../plugins/aigw-virtual-key/config';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// biome-ignore lint/suspicious/noConfusingVoidType: a compile-time assertion; T only constrains
function assertType<T extends true>(): T | void {
  return undefined;
}

const fields = {
  url: string({ required: true, match: '^http://' }),
  ttl: integer({ default: 30, between: [1, 300] }),
  note: string({ description: 'optional' }),
  mode: oneOf(['a', 'b'] as const, { default: 'a' }),
  flags: array({ elements: string(), description: 'list' }),
  limits: record({ description: 'nested', fields: { on: boolean({ default: true }), max: integer() } }),
};

describe('schema builder', () => {
  it('writes Kong fields in declaration order, attributes in the order written', () => {
    expect(JSON.stringify(schemaOf(fields))).toBe(
      JSON.stringify([
        { url: { type: 'string', required: true, match: '^http://' } },
        { ttl: { type: 'integer', default: 30, between: [1, 300] } },
        { note: { type: 'string', description: 'optional' } },
        { mode: { type: 'string', default: 'a', one_of: ['a', 'b'] } },
        { flags: { type: 'array', elements: { type: 'string' }, description: 'list' } },
        { limits: { type: 'record', description: 'nested', fields: [{ on: { type: 'boolean', default: true } }, { max: { type: 'integer' } }] } },
      ]),
    );
  });

  it('infers what Kong delivers: required or defaulted always there, anything else null (or left out)', () => {
    type Config = ConfigOf<typeof fields>;
    assertType<
      Equal<
        Config,
        {
          url: string;
          ttl: number;
          mode: 'a' | 'b';
          note?: string | null;
          flags?: string[] | null;
          limits?: { on: boolean; max?: number | null } | null;
        }
      >
    >();
    expect(true).toBe(true);
  });

  it("the plugins' config types come from their schemas", () => {
    assertType<Equal<VirtualKeyConfig['parallel_lease_seconds'], number>>();
    assertType<Equal<VirtualKeyConfig['database_url'], string>>();
    assertType<Equal<AiProxyConfig['redis_url'], string | null | undefined>>();
    assertType<
      Equal<
        NonNullable<AiProxyConfig['models'][number]['balancing']>['algorithm'],
        'weighted-round-robin' | 'least-in-flight' | 'lowest-latency' | 'lowest-cost' | 'usage-based' | 'consistent-hash' | 'priority'
      >
    >();
    assertType<Equal<GroupTargetConfig['weight'], number>>();
    expect(true).toBe(true);
  });

  it("aigw-proxy's schema defaults are the shared ones the relay applies", () => {
    const models = ProxySchema.find((f) => 'models' in f)!.models;
    const model = models.elements!.fields!;
    const retry = model.find((f) => 'retry' in f)!.retry.fields!;
    const target = model.find((f) => 'target' in f)!.target.fields!;
    const timeouts = target.find((f) => 'timeouts' in f)!.timeouts.fields!;
    const defaults = (list: typeof retry): unknown[] => list.map((f) => Object.values(f)[0].default);
    expect(defaults(retry)).toEqual([
      RETRY_POLICY_DEFAULT.maxRetries,
      RETRY_POLICY_DEFAULT.baseDelayMs,
      RETRY_POLICY_DEFAULT.maxDelayMs,
      RETRY_POLICY_DEFAULT.maxRetryAfterMs,
    ]);
    expect(defaults(timeouts)).toEqual([
      TARGET_TIMEOUTS_DEFAULT.connectMs,
      TARGET_TIMEOUTS_DEFAULT.firstByteMs,
      TARGET_TIMEOUTS_DEFAULT.idleMs,
      TARGET_TIMEOUTS_DEFAULT.totalMs,
    ]);
  });
});
