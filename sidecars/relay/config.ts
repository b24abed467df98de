import { RELAY_HOST_DEFAULT, RELAY_PORT_DEFAULT, REQUEST_BODY_BYTES_MAX } from '../../lib/gateway-defaults';
import { RESPONSES_TTL_SECONDS_DEFAULT, RESPONSES_TTL_SECONDS_MAX } from '../../lib/responses';
import { DATABASE_URL_ENV, REDIS_URL_ENV } from '../../lib/store-env';

/** The relay's settings, all from its environment: the only place provider keys live. */
export interface RelayConfig {
  host: string;
  port: number;
  planSecret: string;
  usageLogPath: string | null;
  /** Environment variable names a plan may name as a credential. */
  credentialAllowlist: Set<string> | null;
  maxBodyBytes: number;
  /** The most the relay decodes of one provider answer (a decompression bomb stops here). */
  maxResponseBytes: number;
  /** Budgets and limits (settlement); null = plans carry no billing the relay can settle. */
  redisUrl: string | null;
  /** The spend ledger; null = no ledger rows are written. */
  databaseUrl: string | null;
  /** How long answered /v1/responses are kept for previous_response_id (in Redis); 0 = none are; absent = the default. */
  responsesTtlSeconds?: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** RELAY_MAX_RESPONSE_BYTES by default: room for OpenAI's largest float embeddings batch (2,048 × 3,072 dimensions, ≈140 MB). */
export const RESPONSE_BODY_BYTES_MAX = 256 * 1024 * 1024;

export function loadRelayConfig(env: NodeJS.ProcessEnv = process.env): RelayConfig {
  const planSecret = env.AIGW_PLAN_SECRET ?? '';
  if (planSecret.length < 32) throw new Error('AIGW_PLAN_SECRET must be set to at least 32 characters');
  const host = env.RELAY_HOST || RELAY_HOST_DEFAULT;
  // The relay trusts Kong's signature, not the network; still, it has no business on a public interface.
  if (!LOOPBACK.has(host) && env.RELAY_ALLOW_NON_LOOPBACK !== 'true') {
    throw new Error(`RELAY_HOST=${host} is not a loopback address; set RELAY_ALLOW_NON_LOOPBACK=true to insist`);
  }
  const port = Number(env.RELAY_PORT ?? RELAY_PORT_DEFAULT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`RELAY_PORT=${env.RELAY_PORT} is not a port`);
  const responsesTtlSeconds = Number(env.RELAY_RESPONSES_TTL_SECONDS ?? RESPONSES_TTL_SECONDS_DEFAULT);
  if (!Number.isInteger(responsesTtlSeconds) || responsesTtlSeconds < 0 || responsesTtlSeconds > RESPONSES_TTL_SECONDS_MAX) {
    throw new Error(`RELAY_RESPONSES_TTL_SECONDS=${env.RELAY_RESPONSES_TTL_SECONDS} is not a whole number of seconds from 0 to ${RESPONSES_TTL_SECONDS_MAX}`);
  }
  const allowlist = env.RELAY_CREDENTIALS
    ? new Set(
        env.RELAY_CREDENTIALS.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
    : null;
  return {
    host,
    port,
    planSecret,
    usageLogPath: env.RELAY_USAGE_LOG || null,
    credentialAllowlist: allowlist,
    maxBodyBytes: Number(env.RELAY_MAX_BODY_BYTES ?? REQUEST_BODY_BYTES_MAX),
    maxResponseBytes: positiveInteger('RELAY_MAX_RESPONSE_BYTES', env.RELAY_MAX_RESPONSE_BYTES, RESPONSE_BODY_BYTES_MAX),
    redisUrl: env[REDIS_URL_ENV] || null,
    databaseUrl: env[DATABASE_URL_ENV] || null,
    responsesTtlSeconds,
  };
}

/** A limit that is not a positive integer would silently be no limit at all. */
function positiveInteger(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name}=${value} is not a positive integer`);
  return n;
}

/**
 * Which environment variable a plan may read. Even a signed plan may not name the relay's own
 * secrets: a misconfigured model must never send AIGW_PLAN_SECRET to a provider.
 */
export function credentialAllowed(name: string, config: RelayConfig): boolean {
  if (config.credentialAllowlist) return config.credentialAllowlist.has(name);
  return /^[A-Z][A-Z0-9_]*_(API_KEY|TOKEN)$/.test(name) && !name.startsWith('AIGW_') && !name.startsWith('RELAY_');
}
