/**
 * One relayed request, at the relay's edge: admitted (admit.ts), then its plan walked
 * (run-plan.ts; a token count: token-count/run.ts) while it holds the key's parallel slot.
 * Whatever the client is refused is answered here, once, in its own format.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isTokenCount } from '../../lib/endpoints';
import { splitTarget } from '../../lib/request-target';
import { admit } from './admit';
import { clientFormatFor } from './client-formats/index';
import type { RelayDeps } from './deps';
import { explainRoute } from './explain-route';
import { sendError } from './respond';
import { countInputTokens } from './responses/input-tokens';
import { runPlan } from './run-plan';
import { runMultiCall } from './strategy/dispatch';
import { runTokenCount } from './token-count/run';
import { requestTrace } from './tracing';

export async function handleRelayRequest(req: IncomingMessage, res: ServerResponse, deps: RelayDeps): Promise<void> {
  const { path, query } = splitTarget(req.url ?? '');
  const format = clientFormatFor(path, query);
  const trace = requestTrace(deps.tracing, req, path);
  if (trace) res.once('close', () => trace.end(res.statusCode));
  const admitted = await admit(req, res, path, format, deps);
  if (!admitted.ok) {
    trace?.refused(admitted.error);
    deps.metrics?.refused(path, admitted.error);
    return sendError(res, format.name, admitted.error);
  }
  admitted.value.trace = trace;
  trace?.admitted(admitted.value);
  explainRoute(admitted.value.plan, res, deps.log);
  const slot = deps.slots.hold(admitted.value.plan);
  try {
    // Counting tokens bills nothing; a Responses count calls at most one provider: not a plan to walk.
    const plan = admitted.value.plan;
    const refusal =
      plan.endpoint === 'responses.input_tokens'
        ? await countInputTokens(admitted.value, deps)
        : isTokenCount(plan.endpoint)
          ? await runTokenCount(admitted.value, deps)
          : (await runMultiCall(admitted.value, deps))
            ? null
            : await runPlan(admitted.value, deps);
    if (refusal) sendError(res, format.name, refusal);
  } finally {
    slot.release();
  }
}
