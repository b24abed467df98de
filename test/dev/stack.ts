/**
 * The local gateway: the Kong test ingress with the real plugin servers, the relay process and,
 * for models without a provider key, the mock provider. `make dev`, the end-to-end tests and the
 * benchmarks all start exactly this.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDeckFile, startIngress, type Ingress } from '../ingress';
import { startMockOpenAI, type MockProvider, type MockScript } from '../mock-provider';
import { deckForDev, MOCK_CREDENTIAL } from './deck-for-dev';
import { REPO_ROOT, startRelayProcess, type RelayProcess } from './relay-process';
import type { UsageRecord } from '../../sidecars/relay/usage';

export interface StackOptions {
  deckFile?: string;
  ingressPort?: number;
  relayPort?: number;
  mockPort?: number;
  /** Environment holding provider keys; models whose key is missing go to the mock. */
  env?: Record<string, string | undefined>;
  mockDefaults?: MockScript;
  clientBodyBufferSize?: string;
}

export interface DevStack {
  url: string;
  ingress: Ingress;
  relay: RelayProcess;
  mock: MockProvider | null;
  planSecret: string;
  routing: Record<string, string>;
  usageRecords(): UsageRecord[];
  close(): Promise<void>;
}

const PROVIDER_KEYS = ['OPENAI_API_KEY', 'GROQ_API_KEY', 'DEEPSEEK_API_KEY', 'XAI_API_KEY', 'MISTRAL_API_KEY'];

export async function startDevStack(options: StackOptions = {}): Promise<DevStack> {
  const env = options.env ?? process.env;
  const planSecret = env.AIGW_PLAN_SECRET || randomBytes(32).toString('hex');
  const workDir = mkdtempSync(join(tmpdir(), 'aigw-dev-'));
  const usageLog = join(workDir, 'usage.jsonl');
  const mockKey = `sk-mock-${randomBytes(12).toString('hex')}`;
  const cleanups: Array<() => Promise<void>> = [async () => rmSync(workDir, { recursive: true, force: true })];
  const close = async (): Promise<void> => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const mock = await startMockOpenAI({ port: options.mockPort ?? 0, apiKey: mockKey, defaults: options.mockDefaults });
    cleanups.push(() => mock.close());

    const relayEnv: Record<string, string> = { AIGW_PLAN_SECRET: planSecret, RELAY_USAGE_LOG: usageLog, [MOCK_CREDENTIAL]: mockKey };
    for (const name of PROVIDER_KEYS) if (env[name]) relayEnv[name] = env[name] as string;
    if (env.AIGW_LOG_LEVEL) relayEnv.AIGW_LOG_LEVEL = env.AIGW_LOG_LEVEL;
    const relay = await startRelayProcess(relayEnv, options.relayPort);
    cleanups.push(() => relay.close());

    const source = loadDeckFile(options.deckFile ?? join(REPO_ROOT, 'deck', 'kong.yaml')) as Record<string, unknown>;
    const { deck, routing } = deckForDev(source, relay.url, mock.baseUrl, env);
    const ingress = await startIngress({
      deck,
      pluginsDir: join(REPO_ROOT, 'dist', 'kong-plugins'),
      port: options.ingressPort ?? 0,
      // As kong/kong.conf raises it for production: LLM prompts exceed nginx's 8k default.
      clientBodyBufferSize: options.clientBodyBufferSize ?? '10m',
      vaultEnv: { AIGW_PLAN_SECRET: planSecret },
    });
    cleanups.push(() => ingress.close());

    return {
      url: ingress.url,
      ingress,
      relay,
      mock,
      planSecret,
      routing,
      usageRecords: () => readUsageLog(usageLog),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function readUsageLog(path: string): UsageRecord[] {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as UsageRecord);
}
