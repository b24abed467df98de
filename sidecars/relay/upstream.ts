/** Keep-alive connection pools, one per upstream origin and connect timeout. */
import { type Dispatcher, Pool } from 'undici';
import { ACCEPT_ENCODING } from './upstream-body';

export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();

  get(origin: string, connectTimeoutMs: number): Pool {
    const key = `${origin}|${connectTimeoutMs}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(origin, {
        connect: { timeout: connectTimeoutMs },
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 300_000,
        // Head-of-line blocking on one connection would delay other streams' first tokens.
        pipelining: 1,
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.destroy()));
    this.pools.clear();
  }
}

/** What a provider is sent: adapters build it, the pass-through keeps the client's bytes. */
export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface UpstreamCall extends UpstreamRequest {
  connectMs: number;
  firstByteMs: number;
  idleMs: number;
  signal: AbortSignal;
}

/** Every call says which codings the relay decodes (upstream-body.ts), whatever the adapter built. */
export function callUpstream(pools: UpstreamPools, call: UpstreamCall): Promise<Dispatcher.ResponseData> {
  const url = new URL(call.url);
  return pools.get(url.origin, call.connectMs).request({
    path: url.pathname + url.search,
    method: 'POST',
    headers: { ...call.headers, 'accept-encoding': ACCEPT_ENCODING },
    body: call.body,
    headersTimeout: call.firstByteMs,
    bodyTimeout: call.idleMs,
    signal: call.signal,
  });
}

/** Classify an undici failure for the client-visible status. */
export function classifyUpstreamFailure(error: unknown): 'timeout' | 'unreachable' | 'aborted' {
  const code = (error as { code?: string }).code ?? '';
  const name = (error as { name?: string }).name ?? '';
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timeout';
  if (name === 'TimeoutError') return 'timeout';
  if (name === 'AbortError' || code === 'UND_ERR_ABORTED') return 'aborted';
  return 'unreachable';
}
