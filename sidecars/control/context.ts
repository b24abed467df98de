/** What every route handler gets. */
import type { Pool } from 'pg';
import type { AdminIdentity } from '../../lib/admin-identity';
import type { Logger } from '../../lib/log';
import type { CacheStore } from '../../lib/semantic-cache/store';
import type { Invalidator } from './invalidate';

export interface ControlContext {
  pool: Pool;
  invalidator: Invalidator;
  log: Logger;
  /** The semantic cache's store (stats, purge); null without Redis. */
  cache?: CacheStore | null;
}

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body ({} when empty). */
  body(): Promise<unknown>;
  admin: AdminIdentity;
}

export interface RouteResult {
  status: number;
  body: unknown;
}

export type Handler = (ctx: ControlContext, req: RouteRequest) => Promise<RouteResult>;
