/** The config of a relay a test starts in its own process: loopback, any free port, no stores. */
import type { RelayConfig } from '../../../sidecars/relay/config';

export function inProcessRelayConfig(planSecret: string, maxBodyBytes: number, maxResponseBytes = 1 << 20): RelayConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    planSecret,
    usageLogPath: null,
    credentialAllowlist: null,
    maxBodyBytes,
    maxResponseBytes,
    redisUrl: null,
    databaseUrl: null,
  };
}
