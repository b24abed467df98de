/** What the relay core needs from its process, built once by server.ts. */
import type { Logger } from '../../lib/log';
import type { Tracing } from '../../lib/observability/tracing';
import type { SingleUse } from '../../lib/single-use';
import type { RelayBilling } from './billing';
import type { RelayCacheFill } from './cache-fill';
import type { RelayConfig } from './config';
import type { RelayMetrics } from './metrics';
import type { ParallelSlots } from './parallel-slots';
import type { ResponseKeeping } from './responses/continuation';
import type { TargetFeedback } from './target-feedback';
import type { UpstreamPools } from './upstream';
import type { UsageSink } from './usage';

export interface RelayDeps {
  config: RelayConfig;
  pools: UpstreamPools;
  usage: UsageSink;
  log: Logger;
  /** Where provider keys are read, by the names plans give. */
  env: NodeJS.ProcessEnv;
  billing: RelayBilling;
  metrics?: RelayMetrics;
  feedback: TargetFeedback;
  slots: ParallelSlots;
  /** Plans already relayed (each is accepted once). */
  usedPlans: SingleUse;
  /** Stores complete answers for the semantic cache (plans that ask for it); null without Redis. */
  cacheFill?: RelayCacheFill | null;
  /** Keeps answered /v1/responses for previous_response_id; null without Redis or with keeping off. */
  responses?: ResponseKeeping | null;
  /** Spans per request and attempt; absent or disabled when tracing is off. */
  tracing?: Tracing;
}
