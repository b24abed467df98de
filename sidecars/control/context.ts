/** What every route handler gets. */
import type { Pool } from 'pg';
import type { Logger } from '../../lib/log';
import type { TargetStats } from '../../lib/routing';
import type { CacheStore } from '../../lib/semantic-cache/store';
import type { ConsoleConfig } from './console/config';
import type { GatewayModelsSource } from './console/gateway-models';
import type { Invalidator } from './invalidate';

export interface ControlContext {
  pool: Pool;
  invalidator: Invalidator;
  log: Logger;
  /** The semantic cache's store (stats, purge); null without Redis. */
  cache?: CacheStore | null;
  /** The console's settings (links, session times); defaults when not given. */
  console?: ConsoleConfig;
  /** Where the gateway's model config is read (GET /admin/models); null when not configured. */
  gatewayModels?: GatewayModelsSource | null;
  /** The routing stats in Redis (breakers, latency, load); null without Redis. */
  targetStats?: TargetStats | null;
}

/** Who is asking: an admin key through Kong (`cli`) or a console session (`console`). */
export interface AdminActor {
  keyId: string;
  via: 'cli' | 'console';
}

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The parsed JSON body ({} when empty). */
  body(): Promise<unknown>;
  admin: AdminActor;
}

export interface RouteResult {
  status: number;
  body: unknown;
  /** Extra response headers (Set-Cookie for the console's session routes). */
  headers?: Record<string, string>;
}

export type Handler = (ctx: ControlContext, req: RouteRequest) => Promise<RouteResult>;
