/**
 * The relay's request handling in this process, in front of the mock providers: what startRelay
 * serves, with what a test needs to read back (usage records, semantic-cache entries it tried to
 * store) and a response limit of the test's choosing. No Redis, no child processes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { endpointOf } from '../../../lib/endpoints';
import type { Logger } from '../../../lib/log';
import type { PlanRetry, PlanTarget, ProviderType } from '../../../lib/plan';
import type { CacheFill } from '../../../lib/semantic-cache/fill';
import type { CacheEntry } from '../../../lib/semantic-cache/types';
import { SingleUse } from '../../../lib/single-use';
import { RelayBilling } from '../../../sidecars/relay/billing';
import { RelayCacheFill } from '../../../sidecars/relay/cache-fill';
import type { RelayDeps } from '../../../sidecars/relay/deps';
import { ParallelSlots } from '../../../sidecars/relay/parallel-slots';
import { handleRelayRequest } from '../../../sidecars/relay/relay-request';
import { TargetFeedback } from '../../../sidecars/relay/target-feedback';
import { UpstreamPools } from '../../../sidecars/relay/upstream';
import type { UsageRecord } from '../../../sidecars/relay/usage';
import { requestId, signedHeaders } from '../../e2e/helpers';
import { waitFor } from '../../harness/wait-for';
import { MemoryUsageSink } from './memory-usage-sink';
import { inProcessRelayConfig } from './relay-config';

const SECRET = 'r'.repeat(48);
export const PROVIDER_KEY = 'provider-key-under-test';
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A semantic-cache fill as aigw-semantic-cache signs it into a plan after a miss. */
export const CACHE_FILL: CacheFill = {
  scopeId: 's'.repeat(64),
  teamId: 't1',
  model: 'public',
  exactHash: 'e'.repeat(64),
  pendingDigest: null,
  embedModel: null,
  ttlSeconds: 60,
  fillToolCalls: false,
};

export interface SendOptions {
  path?: '/v1/chat/completions' | '/v1/messages' | '/v1/embeddings';
  retry?: PlanRetry;
  id?: string;
  cache?: CacheFill;
}

export interface RelayUnderTest {
  usage: MemoryUsageSink;
  /** Entries the cache fill stored. */
  cached: CacheEntry[];
  send(body: unknown, targets: PlanTarget | PlanTarget[], options?: SendOptions): Promise<Response>;
  /** The request's usage record, once written, and after any cache fill it started has run (fills follow the record). */
  settled(id: string): Promise<UsageRecord>;
  close(): Promise<void>;
}

/** A target on the mock providers, with the gateway's key and a price, so every answer is billed. */
export function mockTarget(provider: ProviderType, baseUrl: string, model: string, overrides: Partial<PlanTarget> = {}): PlanTarget {
  return {
    provider,
    baseUrl,
    model,
    credential: 'MOCK_API_KEY',
    timeouts: { connectMs: 2000, firstByteMs: 5000, idleMs: 5000, totalMs: 15000 },
    pricing: { input: 1, output: 2 },
    ...overrides,
  };
}

export async function startRelayUnderTest(options: { maxResponseBytes?: number } = {}): Promise<RelayUnderTest> {
  const usage = new MemoryUsageSink();
  const cached: CacheEntry[] = [];
  const deps: RelayDeps = {
    config: inProcessRelayConfig(SECRET, 1 << 20, options.maxResponseBytes),
    pools: new UpstreamPools(),
    usage,
    log: quiet,
    env: { MOCK_API_KEY: PROVIDER_KEY },
    billing: new RelayBilling(null, null, null, quiet),
    feedback: new TargetFeedback(null, quiet),
    slots: new ParallelSlots(null, quiet),
    usedPlans: new SingleUse(),
    cacheFill: new RelayCacheFill({ put: async (entry) => void cached.push(entry), takePendingFill: async () => null }, quiet),
  };
  const server: Server = createServer((req, res) => void handleRelayRequest(req, res, deps));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    usage,
    cached,
    send(body, targets, opts = {}) {
      const path = opts.path ?? '/v1/chat/completions';
      const text = JSON.stringify(body);
      const extra = opts.cache ? { cache: opts.cache } : {};
      const headers = signedHeaders(text, targets, SECRET, endpointOf(path), opts.id ?? requestId(), opts.retry, extra);
      return fetch(url + path, { method: 'POST', body: text, headers });
    },
    async settled(id) {
      const record = await waitFor(() => usage.records.find((r) => r.requestId === id), 5000, `the usage record of ${id}`);
      await new Promise((resolve) => setImmediate(resolve));
      return record;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deps.pools.close();
    },
  };
}
