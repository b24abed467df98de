/** One relayed request: verify the plan, call the target, answer the client, record usage. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PLAN_HEADER, PLAN_SIGNATURE_HEADER, REQUEST_ID_HEADER } from '../../lib/headers';
import { verifyPlan, type Endpoint, type PlanTarget, type RoutePlan } from '../../lib/plan';
import type { Logger } from '../../lib/log';
import { credentialAllowed, type RelayConfig } from './config';
import { buildRequest, mapUpstreamError, usageFromResponse } from './adapters/openai';
import { callUpstream, classifyUpstreamFailure, type UpstreamPools } from './upstream';
import { nanoToUsdString } from '../../lib/pricing';
import type { RelayBilling } from './billing';
import { sendError, sendJson } from './respond';
import { relayStream } from './stream';
import type { TokenUsage, UsageOutcome, UsageRecord, UsageSink } from './usage';

export interface RelayDeps {
  config: RelayConfig;
  pools: UpstreamPools;
  usage: UsageSink;
  log: Logger;
  env: NodeJS.ProcessEnv;
  billing: RelayBilling;
}

const ENDPOINT_BY_PATH: Record<string, Endpoint> = {
  '/v1/chat/completions': 'chat.completions',
  '/v1/embeddings': 'embeddings',
};

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

interface Attempt {
  plan: RoutePlan;
  target: PlanTarget;
  stream: boolean;
  startedAt: number;
  /** Set once the request has been charged (settle runs once, before the client sees the end). */
  costNano?: number | null;
}

export const COST_HEADER = 'x-gateway-cost';

/** Charges the attempt (once) and returns the cost header for a complete response. */
async function charge(deps: RelayDeps, attempt: Attempt, usage: TokenUsage | null, outcome: UsageOutcome): Promise<Record<string, string>> {
  if (attempt.costNano === undefined) attempt.costNano = await deps.billing.settle(attempt.plan, attempt.target, usage, outcome);
  return attempt.costNano === null ? {} : { [COST_HEADER]: nanoToUsdString(attempt.costNano) };
}

export async function handleRelayRequest(req: IncomingMessage, res: ServerResponse, deps: RelayDeps): Promise<void> {
  const startedAt = Date.now();
  const path = (req.url ?? '').split('?')[0];
  let body: Buffer;
  try {
    body = await readBody(req, deps.config.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLarge) return sendError(res, 413, 'The request body is too large.', 'request_too_large');
    throw error;
  }
  const check = verifyPlan(
    { plan: header(req, PLAN_HEADER), signature: header(req, PLAN_SIGNATURE_HEADER) },
    header(req, REQUEST_ID_HEADER),
    body,
    deps.config.planSecret,
  );
  if (!check.ok) {
    deps.log.warn('rejected request without a valid route plan', { reason: check.reason, path });
    return sendError(res, 401, `Unauthorized: ${check.reason}. The relay only accepts requests routed by the gateway.`, 'invalid_route_plan');
  }
  const plan = check.plan;
  if (ENDPOINT_BY_PATH[path] !== plan.endpoint) {
    return sendError(res, 400, `The route plan is for ${plan.endpoint}, not ${path}.`, 'route_plan_mismatch');
  }
  const clientBody = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  const target = plan.targets[0];
  const attempt: Attempt = { plan, target, stream: clientBody.stream === true, startedAt };

  const apiKey = resolveCredential(target, deps);
  if (apiKey instanceof Error) {
    deps.log.error('credential unavailable', { requestId: plan.requestId, credential: target.credential, reason: apiKey.message });
    const costHeader = await charge(deps, attempt, null, 'upstream_error');
    finish(deps, attempt, 502, 'upstream_error', null, null);
    return sendError(res, 502, `The gateway has no usable credential for this model: ${apiKey.message}`, 'upstream_credential_missing', costHeader);
  }
  const { request, intent } = buildRequest(plan.endpoint, target, body, clientBody, apiKey);

  // One controller for the client going away and for the total deadline.
  const controller = new AbortController();
  const onClientGone = (): void => {
    if (!res.writableFinished) controller.abort();
  };
  res.on('close', onClientGone);
  const deadline = setTimeout(() => controller.abort(new DOMException('total timeout', 'TimeoutError')), target.timeouts.totalMs);
  try {
    let upstream;
    try {
      upstream = await callUpstream(deps.pools, {
        ...request,
        connectMs: target.timeouts.connectMs,
        firstByteMs: target.timeouts.firstByteMs,
        idleMs: target.timeouts.idleMs,
        signal: controller.signal,
      });
    } catch (error) {
      return await failBeforeResponse(res, deps, attempt, error);
    }
    const upstreamHeaders = { 'x-aigw-upstream-model': `${target.provider}/${target.model}` };
    const contentType = String(upstream.headers['content-type'] ?? '');
    if (upstream.statusCode >= 400) {
      const text = await upstream.body.text();
      const retryAfter = upstream.headers['retry-after'];
      const mapped = mapUpstreamError(upstream.statusCode, text, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, target.provider);
      const costHeader = await charge(deps, attempt, null, 'upstream_error');
      finish(deps, attempt, mapped.status, 'upstream_error', null, null);
      return sendJson(res, mapped.status, mapped.body, { ...mapped.headers, ...upstreamHeaders, ...costHeader });
    }
    if (intent.stream && contentType.includes('text/event-stream')) {
      const settle = async (usage: TokenUsage): Promise<number | null> => {
        await charge(deps, attempt, usage, 'ok');
        return attempt.costNano == null ? null : attempt.costNano / 1e9;
      };
      const result = await relayStream(upstream, res, intent, upstreamHeaders, settle);
      await charge(deps, attempt, result.usage, result.outcome);
      finish(deps, attempt, 200, result.outcome, result.usage, result.firstByteAt);
      return;
    }
    const text = await upstream.body.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      const costHeader = await charge(deps, attempt, null, 'upstream_error');
      finish(deps, attempt, 502, 'upstream_error', null, null);
      return sendError(res, 502, `The provider (${target.provider}) sent a response that is not JSON.`, 'upstream_invalid_response', costHeader);
    }
    const usage = usageFromResponse(parsed);
    const costHeader = await charge(deps, attempt, usage, 'ok');
    finish(deps, attempt, 200, 'ok', usage, Date.now());
    return sendJson(res, 200, text, { ...upstreamHeaders, ...costHeader });
  } catch (error) {
    if (res.headersSent) {
      await charge(deps, attempt, null, 'stream_interrupted');
      finish(deps, attempt, 200, 'stream_interrupted', null, null);
      res.destroy();
      return;
    }
    return await failBeforeResponse(res, deps, attempt, error);
  } finally {
    clearTimeout(deadline);
    res.off('close', onClientGone);
  }
}


function resolveCredential(target: PlanTarget, deps: RelayDeps): string | null | Error {
  if (!target.credential) return null;
  if (!credentialAllowed(target.credential, deps.config)) return new Error(`${target.credential} is not an allowed credential name`);
  const value = deps.env[target.credential];
  if (!value) return new Error(`${target.credential} is not set in the relay's environment`);
  return value;
}

async function failBeforeResponse(res: ServerResponse, deps: RelayDeps, attempt: Attempt, error: unknown): Promise<void> {
  const kind = classifyUpstreamFailure(error);
  const provider = attempt.target.provider;
  if (kind === 'aborted' && res.destroyed) {
    await charge(deps, attempt, null, 'upstream_unreachable');
    finish(deps, attempt, 499, 'client_aborted', null, null);
    return;
  }
  if (kind === 'timeout') {
    const costHeader = await charge(deps, attempt, null, 'timeout');
    finish(deps, attempt, 504, 'timeout', null, null);
    return sendError(res, 504, `The provider (${provider}) did not answer in time.`, 'upstream_timeout', costHeader);
  }
  deps.log.warn('upstream unreachable', { requestId: attempt.plan.requestId, provider, error: (error as Error).message });
  const costHeader = await charge(deps, attempt, null, 'upstream_unreachable');
  finish(deps, attempt, 502, 'upstream_unreachable', null, null);
  return sendError(res, 502, `The provider (${provider}) could not be reached: ${(error as Error).message}`, 'upstream_unreachable', costHeader);
}

function finish(
  deps: RelayDeps,
  attempt: Attempt,
  status: number,
  outcome: UsageOutcome,
  usage: TokenUsage | null,
  firstByteAt: number | null,
): void {
  const now = Date.now();
  const record: UsageRecord = {
    requestId: attempt.plan.requestId,
    endpoint: attempt.plan.endpoint,
    model: attempt.plan.model,
    provider: attempt.target.provider,
    providerModel: attempt.target.model,
    stream: attempt.stream,
    status,
    outcome,
    usage,
    startedAt: attempt.startedAt,
    firstByteMs: firstByteAt === null ? null : firstByteAt - attempt.startedAt,
    durationMs: now - attempt.startedAt,
    costNano: attempt.costNano ?? null,
    keyId: attempt.plan.billing?.keyId ?? null,
    teamId: attempt.plan.billing?.teamId ?? null,
  };
  deps.usage.record(record);
  deps.billing.recordLedger(record, attempt.plan);
}
