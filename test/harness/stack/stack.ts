/**
 * The local gateway: the Kong test ingress with the real plugin servers, the relay and control
 * API processes, real Redis and PostgreSQL, and, for models without a provider key, the mock
 * provider. `make dev`, the end-to-end tests and the benchmarks all start exactly this.
 * Several stacks can share one pair of stores (`stores`) to play several Kong nodes.
 * With AIGW_E2E_URL set, both start functions connect to that running gateway instead
 * (remote-stack.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrations } from '../../../lib/db/migrate';
import { createPool, POOL_DEADLINES } from '../../../lib/db/pool';
import { PLUGIN_METRICS_PORTS_ENV } from '../../../lib/metrics/plugin-server';
import { bootstrapAdmin } from '../../../sidecars/control/cli/bootstrap';
import type { UsageRecord } from '../../../sidecars/relay/usage';
import { type AccessEntry, type Ingress, type IngressLogEntry, loadDeckFile, startIngress } from '../kong-double';
import { type MockProviders, type MockScript, startMockProviders } from '../mock-provider';
import { freePortsForLater } from '../stores/ports';
import { startPostgres, type TestPostgres } from '../stores/postgres';
import { startRedis, type TestRedis } from '../stores/redis';
import { waitFor } from '../wait-for';
import { deckForDev, MOCK_CREDENTIAL } from './deck-for-dev';
import { type AdminResponse, adminCaller, readUsageLog } from './gateway-access';
import { connectStack, connectStores, REMOTE_GATEWAY } from './remote-stack';
import { REPO_ROOT, type SidecarProcess, startControlProcess, startInferenceProcess, startRelayProcess } from './sidecar-process';

/** Redis and PostgreSQL shared by every node of a test, with the first admin key. */
export interface SharedStores {
  redisUrl: string;
  databaseUrl: string;
  planSecret: string;
  adminKey: string;
  /** The servers themselves, for fault tests that stop or stall them. */
  redis: TestRedis;
  postgres: TestPostgres;
  stop(): Promise<void>;
}

export interface StackOptions {
  deckFile?: string;
  ingressPort?: number;
  relayPort?: number;
  controlPort?: number;
  mockPort?: number;
  /** Environment holding provider keys; models whose key is missing go to the mock. */
  env?: Record<string, string | undefined>;
  mockDefaults?: MockScript;
  clientBodyBufferSize?: string;
  /** Join existing stores (another node of the same gateway) instead of starting new ones. */
  stores?: SharedStores;
  /**
   * Adjusts the source deck before the dev rewrite, so models added here are routed like the
   * deck's own (keyless targets to the mock's dialect for their provider).
   */
  sourceTransform?: (deck: Record<string, unknown>) => Record<string, unknown>;
  /** Adjusts the deck after the dev rewrite (benchmarks add route variants). */
  deckTransform?: (deck: Record<string, unknown>) => Record<string, unknown>;
  /** Every request once answered (the ingress's access log). */
  onAccess?: (entry: AccessEntry) => void;
  /** What the ingress and the plugins log. */
  onIngressLog?: (entry: IngressLogEntry) => void;
  /** Each line the relay, the control API or the inference sidecar writes to stderr. */
  onSidecarLine?: (source: SidecarName, line: string) => void;
  /**
   * Start the inference sidecar and keep aigw-prompt-compressor on its routes (`make dev`,
   * the compression tests); without it the compressor is taken out of the deck.
   */
  inference?: boolean | InferenceOptions;
  /** Keep aigw-semantic-cache on the chat routes (`make dev`, the cache tests); semantic only with `inference`. */
  cache?: boolean;
  /** Keep aigw-guardrails on the default chat route (`make dev`'s profile: PII redact, secrets block). */
  guardrails?: boolean;
  /** Keep aigw-prompt-template on the conversation routes (`make dev`, the template tests). */
  templates?: boolean;
  /** AIGW_PLUGIN_METRICS_PORTS for the plugin servers (`name=port,…`): each named plugin serves /metrics on loopback. */
  pluginMetricsPorts?: string;
  /** Tracing settings (AIGW_TRACING, AIGW_TRACE_CONTENT, OTEL_*) for the relay and every plugin server. */
  tracingEnv?: Record<string, string>;
}

export type SidecarName = 'relay' | 'control' | 'inference';

export interface InferenceOptions {
  env?: Record<string, string>;
  /** Health and metrics (HTTP). */
  port?: number;
  /** gRPC; a free one when not given. */
  grpcPort?: number;
}

export type { AdminResponse };

export interface DevStack {
  url: string;
  ingress: Ingress;
  relay: SidecarProcess;
  control: SidecarProcess;
  /** The inference sidecar, when the stack was started with one; `address` is its gRPC address. */
  inference: (SidecarProcess & { address: string }) | null;
  mock: MockProviders;
  stores: SharedStores;
  planSecret: string;
  adminKey: string;
  routing: Record<string, string>;
  /** The relay's usage log (RELAY_USAGE_LOG): one JSON record per line. */
  usageLogPath: string;
  usageRecords(): UsageRecord[];
  /** Calls the control API through Kong with the admin key. */
  admin(method: string, path: string, body?: unknown): Promise<AdminResponse>;
  close(): Promise<void>;
}

/** The log settings every process reads (lib/log.ts); kong.conf's nginx_main_env lets them through to the plugin servers. */
const LOG_SETTINGS = ['AIGW_LOG_LEVEL', 'AIGW_LOG_REDACT', 'AIGW_LOG_CONTENT'];

function logSettings(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(LOG_SETTINGS.filter((name) => env[name]).map((name) => [name, env[name] as string]));
}

const PROVIDER_KEYS = [
  'OPENAI_API_KEY',
  'ANTHROPIC_API_KEY',
  'GEMINI_API_KEY',
  'AZURE_OPENAI_API_KEY',
  'GROQ_API_KEY',
  'DEEPSEEK_API_KEY',
  'XAI_API_KEY',
  'MISTRAL_API_KEY',
];

/** Starts Redis and PostgreSQL, applies the migrations and makes the first admin key. */
export async function startSharedStores(planSecret = randomBytes(32).toString('hex')): Promise<SharedStores> {
  if (REMOTE_GATEWAY) return connectStores(REMOTE_GATEWAY);
  const redis = await startRedis();
  const postgres = await startPostgres().catch(async (error: unknown) => {
    await redis.stop();
    throw error;
  });
  const pool = createPool(postgres.url, { deadlines: POOL_DEADLINES.maintenance });
  try {
    await runMigrations(pool);
    const admin = await bootstrapAdmin(pool, { alias: 'dev-admin', force: false });
    return {
      redisUrl: redis.url,
      databaseUrl: postgres.url,
      planSecret,
      adminKey: admin.raw,
      redis,
      postgres,
      stop: async () => {
        await postgres.stop();
        await redis.stop();
      },
    };
  } catch (error) {
    await postgres.stop();
    await redis.stop();
    throw error;
  } finally {
    await pool.end();
  }
}

async function startInference(
  option: true | InferenceOptions,
  env: Record<string, string | undefined>,
  onLine: ((line: string) => void) | undefined,
): Promise<SidecarProcess & { address: string }> {
  const settings = option === true ? {} : option;
  const grpcPort = settings.grpcPort ?? (await freePortsForLater(1))[0];
  const inferenceEnv: Record<string, string> = {
    INFERENCE_MODELS_DIR: join(REPO_ROOT, 'models'),
    AIGW_LOG_LEVEL: 'warn',
    ...logSettings(env),
    ...settings.env,
  };
  const process = await startInferenceProcess(inferenceEnv, grpcPort!, settings.port, onLine);
  return { ...process, address: `127.0.0.1:${grpcPort}` };
}

/**
 * Ready means an admin request through Kong is answered: the plugin server, the key lookup and
 * the control API have each made their first store connection. On a loaded machine a cold first
 * connection can outlast the request-path deadline and be refused (fail closed, 503), which a
 * test's first call must not meet. Anything but a 503 ends the wait: the caller sees it.
 */
async function untilServing(admin: ReturnType<typeof adminCaller>, timeoutMs = 30_000): Promise<void> {
  let last = '';
  try {
    await waitFor(async () => {
      const probe = await admin('GET', '/admin/keys');
      if (probe.status !== 503) return true;
      last = JSON.stringify(probe.body).slice(0, 300);
      return undefined;
    }, timeoutMs);
  } catch {
    throw new Error(`the gateway still answers admin requests with 503 after ${timeoutMs} ms: ${last}`);
  }
}

export async function startDevStack(options: StackOptions = {}): Promise<DevStack> {
  if (REMOTE_GATEWAY) return connectStack(REMOTE_GATEWAY, options);
  const env = options.env ?? process.env;
  const workDir = mkdtempSync(join(tmpdir(), 'aigw-dev-'));
  const usageLog = join(workDir, 'usage.jsonl');
  const mockKey = `sk-mock-${randomBytes(12).toString('hex')}`;
  const cleanups: Array<() => Promise<void>> = [async () => rmSync(workDir, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const stores = options.stores ?? (await startSharedStores(env.AIGW_PLAN_SECRET || undefined));
    if (!options.stores) cleanups.push(() => stores.stop());
    const storeEnv = { AIGW_PLAN_SECRET: stores.planSecret, AIGW_REDIS_URL: stores.redisUrl, AIGW_DATABASE_URL: stores.databaseUrl };

    // One mock serving OpenAI's, Anthropic's, Gemini's and Azure OpenAI's wire formats.
    const mock = await startMockProviders({ port: options.mockPort ?? 0, apiKey: mockKey, defaults: options.mockDefaults });
    cleanups.push(() => mock.close());

    const relayEnv: Record<string, string> = { ...storeEnv, RELAY_USAGE_LOG: usageLog, [MOCK_CREDENTIAL]: mockKey };
    for (const name of PROVIDER_KEYS) if (env[name]) relayEnv[name] = env[name] as string;
    Object.assign(relayEnv, logSettings(env));
    Object.assign(relayEnv, options.tracingEnv);
    const lineFrom = (source: SidecarName) => (options.onSidecarLine ? (line: string) => options.onSidecarLine!(source, line) : undefined);
    const relay = await startRelayProcess(relayEnv, options.relayPort, lineFrom('relay'));
    cleanups.push(() => relay.close());
    // The console's files, and the deck this stack runs (written below) for GET /admin/models.
    const gatewayConfig = join(workDir, 'gateway-deck.json');
    const consoleEnv = { AIGW_CONSOLE_DIR: env.AIGW_CONSOLE_DIR ?? join(REPO_ROOT, 'dist', 'console'), AIGW_GATEWAY_CONFIG: gatewayConfig };
    const control = await startControlProcess(
      { ...storeEnv, ...consoleEnv, AIGW_LOG_LEVEL: 'warn', ...logSettings(env) },
      options.controlPort,
      lineFrom('control'),
    );
    cleanups.push(() => control.close());
    const inference = options.inference ? await startInference(options.inference, env, lineFrom('inference')) : null;
    if (inference) cleanups.push(() => inference.close());

    const loaded = loadDeckFile(options.deckFile ?? join(REPO_ROOT, 'deck', 'kong.yaml')) as Record<string, unknown>;
    const source = options.sourceTransform ? options.sourceTransform(loaded) : loaded;
    const sidecars = {
      relayUrl: relay.url,
      controlUrl: control.url,
      inferenceAddress: inference?.address,
      cache: options.cache,
      guardrails: options.guardrails,
      templates: options.templates,
    };
    const { deck, routing } = deckForDev(source, sidecars, mock.baseUrls, env);
    const runningDeck = options.deckTransform ? options.deckTransform(deck) : deck;
    writeFileSync(gatewayConfig, JSON.stringify(runningDeck));
    const ingress = await startIngress({
      deck: runningDeck,
      pluginsDir: join(REPO_ROOT, 'dist', 'kong-plugins'),
      port: options.ingressPort ?? 0,
      // The production kong.conf: body buffer and size limit, error template and default type.
      kongConf: join(REPO_ROOT, 'kong', 'kong.conf'),
      clientBodyBufferSize: options.clientBodyBufferSize,
      vaultEnv: storeEnv,
      pluginServerEnv: {
        ...logSettings(env),
        ...(options.pluginMetricsPorts ? { [PLUGIN_METRICS_PORTS_ENV]: options.pluginMetricsPorts } : {}),
        ...options.tracingEnv,
      },
      onAccess: options.onAccess,
      onLog: options.onIngressLog,
    });
    cleanups.push(() => ingress.close());
    const admin = adminCaller(ingress.url, stores.adminKey);
    await untilServing(admin);

    return {
      url: ingress.url,
      ingress,
      relay,
      control,
      inference,
      mock,
      stores,
      planSecret: stores.planSecret,
      adminKey: stores.adminKey,
      routing,
      usageLogPath: usageLog,
      usageRecords: () => readUsageLog(usageLog),
      admin,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
