/**
 * How a test reaches a gateway from outside it, local or remote alike: the control API through
 * Kong with an admin key, and the relay's usage log (RELAY_USAGE_LOG, one JSON record per line).
 */
import { readFileSync } from 'node:fs';
import type { UsageRecord } from '../../../sidecars/relay/usage';

export interface AdminResponse {
  status: number;
  body: Record<string, unknown>;
}

/** Calls the control API through Kong (`gatewayUrl` + path) with the admin key. */
export function adminCaller(gatewayUrl: string, adminKey: string) {
  return async (method: string, path: string, body?: unknown): Promise<AdminResponse> => {
    const res = await fetch(gatewayUrl + path, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
}

/** Every record in the usage log so far; none while the relay has not created it. */
export function readUsageLog(path: string): UsageRecord[] {
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
