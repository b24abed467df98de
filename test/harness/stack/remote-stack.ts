/**
 * The end-to-end suite against a gateway that is already running (real Kong 3.9 from the compose
 * stack with test/docker/compose.e2e.yml; test/docker/README.md) instead of the local test
 * double. When AIGW_E2E_URL is set, startDevStack() and startSharedStores() connect here and
 * return the same interfaces, backed by that gateway. What only a local stack has (stores to
 * stop or stall, processes to kill or read, the test double's logs, a second node) is not there:
 * touching it throws, and the tests that need it are marked localOnly.
 */
import { relative } from 'node:path';
import type { Ingress } from '../kong-double';
import type { MockProviders } from '../mock-provider';
import type { TestPostgres } from '../stores/postgres';
import type { TestRedis } from '../stores/redis';
import { E2E_ONLY_MODEL, e2eDeck, isInE2eDeck, loadSourceDeck } from './e2e-deck';
import { adminCaller, readUsageLog } from './gateway-access';
import { remoteMock } from './remote-mock';
import type { SidecarProcess } from './sidecar-process';
import type { DevStack, SharedStores, StackOptions } from './stack';

/** The environment of a remote run. */
export const REMOTE_ENV = {
  /** The Kong proxy, e.g. http://127.0.0.1:8000. Setting it makes the run remote. */
  url: 'AIGW_E2E_URL',
  /** An admin key of that gateway (`aigw admin bootstrap`). */
  adminKey: 'AIGW_E2E_ADMIN_KEY',
  /** The mock provider's port as this machine reaches it (its /__mock/* control API). */
  mockUrl: 'AIGW_E2E_MOCK_URL',
  /** Optional: the stack's Redis, for tests that read limits, budgets or breaker state. */
  redisUrl: 'AIGW_E2E_REDIS_URL',
  /** Optional: the stack's aigw database, for tests that read the spend ledger. */
  databaseUrl: 'AIGW_E2E_DATABASE_URL',
  /** Optional: the relay's RELAY_USAGE_LOG as this machine sees it. */
  usageLog: 'AIGW_E2E_USAGE_LOG',
} as const;

export type RemoteGateway = Record<keyof typeof REMOTE_ENV, string | undefined> & { url: string; adminKey: string; mockUrl: string };

/** The remote gateway this environment names, or null for a local run. */
export function remoteGateway(env: NodeJS.ProcessEnv = process.env): RemoteGateway | null {
  const read = (name: string): string | undefined => env[name]?.trim() || undefined;
  const gateway = Object.fromEntries(Object.entries(REMOTE_ENV).map(([field, name]) => [field, read(name)])) as Partial<RemoteGateway>;
  if (!gateway.url) return null;
  const missing = (['adminKey', 'mockUrl'] as const).filter((field) => !gateway[field]).map((field) => REMOTE_ENV[field]);
  if (missing.length > 0)
    throw new Error(
      `${REMOTE_ENV.url} is set, so the end-to-end tests run against that gateway; they also need ${missing.join(' and ')} (test/docker/README.md)`,
    );
  const noSlash = (url: string) => url.replace(/\/+$/, '');
  return { ...(gateway as RemoteGateway), url: noSlash(gateway.url), mockUrl: noSlash(gateway.mockUrl!) };
}

/** The gateway this run connects to instead of starting one, or null for a local run. */
export const REMOTE_GATEWAY = remoteGateway();

/** True when this run drives a remote gateway. */
export const REMOTE_RUN = REMOTE_GATEWAY !== null;

type TestFunction = (name: string, fn: jest.ProvidesCallback, timeout?: number) => void;

/**
 * `describe`, `it` and `test` for what needs this machine's stack. In a remote run they are
 * skipped, the reason in their name (`jest --verbose` lists them), never silently passed.
 */
export function localOnly(reason: string): { describe: (name: string, fn: () => void) => void; it: TestFunction; test: TestFunction } {
  if (!REMOTE_RUN) return { describe, it, test };
  // Jest lists skipped tests only in files that ran some: this line names the others' reason too.
  const file = relative(process.cwd(), expect.getState().testPath ?? '?');
  console.info(`${file}: skipped against ${REMOTE_GATEWAY!.url}, local only: ${reason}`);
  const label = (name: string): string => `${name} [local only: ${reason}]`;
  return {
    describe: (name, fn) => describe.skip(label(name), fn),
    it: (name, fn, timeout) => it.skip(label(name), fn, timeout),
    test: (name, fn, timeout) => test.skip(label(name), fn, timeout),
  };
}

/** A part of the local stack a remote one does not have: any use of it throws, saying so. */
function notHere<T extends object>(part: string, why: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      if (typeof property === 'symbol') return undefined;
      throw new Error(`${part}.${property} is not available against a remote gateway (${why}): mark the test localOnly`);
    },
  });
}

function required(value: string | undefined, name: string, what: string): string {
  if (!value) throw new Error(`this test reads ${what}: set ${name} for a remote run (test/docker/README.md)`);
  return value;
}

/** The remote stack's stores, by URL: never started, stopped or stalled from here. */
export function connectStores(gateway: RemoteGateway): SharedStores {
  return {
    get redisUrl() {
      return required(gateway.redisUrl, REMOTE_ENV.redisUrl, "the stack's Redis");
    },
    get databaseUrl() {
      return required(gateway.databaseUrl, REMOTE_ENV.databaseUrl, "the stack's PostgreSQL");
    },
    get planSecret(): string {
      throw new Error("the stack's plan secret stays in its kong/.env; a remote run cannot sign plans");
    },
    adminKey: gateway.adminKey,
    redis: notHere<TestRedis>('stores.redis', "the stack's Redis is not this machine's to stop or stall"),
    postgres: notHere<TestPostgres>('stores.postgres', "the stack's PostgreSQL is not this machine's to stop or stall"),
    stop: async () => undefined,
  };
}

/** What a local stack does and a remote one cannot: start options, hooks, deck changes not in the e2e deck. */
function unsupported(options: StackOptions): string[] {
  const local: Array<keyof StackOptions> = [
    'deckFile',
    'ingressPort',
    'relayPort',
    'controlPort',
    'mockPort',
    'mockDefaults',
    'clientBodyBufferSize',
    'onAccess',
    'onIngressLog',
    'onSidecarLine',
    'inference',
    'cache',
    'templates',
    'router',
  ];
  const found: string[] = local.filter((option) => options[option] !== undefined);
  for (const option of ['sourceTransform', 'deckTransform'] as const) {
    const transform = options[option];
    if (transform && !isInE2eDeck(transform)) found.push(`a ${option} the end-to-end deck does not have (test/harness/stack/e2e-deck.ts)`);
  }
  const keys = Object.keys(options.env ?? {}).filter((name) => /_API_KEY$/.test(name) && options.env?.[name]);
  if (keys.length > 0) found.push(`provider keys (${keys.join(', ')}): the end-to-end deck sends every model to the mock`);
  return found;
}

/** Once per connection: the gateway answers the admin key and serves the end-to-end deck. */
async function untilServingE2eDeck(gateway: RemoteGateway): Promise<void> {
  const probe = `${gateway.url}/v1/models/${E2E_ONLY_MODEL}`;
  const deadline = Date.now() + 30_000;
  let answer = '';
  for (let attempt = 0; ; attempt++) {
    answer = await fetch(probe, { headers: { authorization: `Bearer ${gateway.adminKey}` } }).then(
      async (res) => `${res.status} ${(await res.text()).slice(0, 200)}`,
      (error: Error) => String(error.cause ?? error),
    );
    if (answer.startsWith('200 ')) {
      // Each Kong worker rebuilds its router and plugins on a timer every
      // worker_state_update_frequency (5 s; kong/runloop/handler.lua, worker_consistency =
      // eventual): a deck one worker serves, every worker serves that much later.
      if (attempt > 0) await new Promise((r) => setTimeout(r, 6000));
      return;
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(
    `the gateway at ${gateway.url} does not serve the end-to-end deck to ${REMOTE_ENV.adminKey} (GET /v1/models/${E2E_ONLY_MODEL}: ${answer}); ` +
      'sync test/harness/stack/e2e-deck.ts output into it and check the key (test/docker/README.md)',
  );
}

/** One client per mock: two "nodes" of a remote stack are the same gateway with the same mock. */
const mocks = new Map<string, MockProviders>();

export async function connectStack(gateway: RemoteGateway, options: StackOptions): Promise<DevStack> {
  const refused = unsupported(options);
  if (refused.length > 0) throw new Error(`a remote gateway cannot honour ${refused.join('; ')}: mark the test localOnly`);
  const { routing } = e2eDeck(loadSourceDeck());
  await untilServingE2eDeck(gateway);
  if (!mocks.has(gateway.mockUrl)) mocks.set(gateway.mockUrl, remoteMock(gateway.mockUrl));
  const mock = mocks.get(gateway.mockUrl)!;
  // Each test file starts with an empty mock, as it does with a local stack of its own.
  mock.reset();
  const stores = connectStores(gateway);
  const usageLogPath = (): string => required(gateway.usageLog, REMOTE_ENV.usageLog, "the relay's usage log");
  const inStack = "it listens on 127.0.0.1 in Kong's network namespace";
  return {
    url: gateway.url,
    ingress: notHere<Ingress>('stack.ingress', 'real Kong, not the test double, answers here'),
    relay: notHere<SidecarProcess>('stack.relay', inStack),
    control: notHere<SidecarProcess>('stack.control', inStack),
    inference: notHere<SidecarProcess & { address: string }>('stack.inference', inStack),
    mock,
    stores,
    get planSecret() {
      return stores.planSecret;
    },
    adminKey: gateway.adminKey,
    routing,
    get usageLogPath() {
      return usageLogPath();
    },
    usageRecords: () => readUsageLog(usageLogPath()),
    admin: adminCaller(gateway.url, gateway.adminKey),
    // Nothing here was started by this process.
    close: async () => undefined,
  };
}
