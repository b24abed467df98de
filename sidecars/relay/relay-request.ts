/**
 * One relayed request, at the relay's edge: admitted (admit.ts), then its plan walked
 * (run-plan.ts) while it holds the key's parallel slot. Whatever the client is refused is
 * answered here, once, in its own format.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { admit } from './admit';
import { clientFormatFor } from './client-formats/index';
import type { RelayDeps } from './deps';
import { sendError } from './respond';
import { countInputTokens } from './responses/input-tokens';
import { runPlan } from './run-plan';

export async function handleRelayRequest(req: IncomingMessage, res: ServerResponse, deps: RelayDeps): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  const format = clientFormatFor(path);
  const admitted = await admit(req, res, path, format, deps);
  if (!admitted.ok) return sendError(res, format.name, admitted.error);
  const slot = deps.slots.hold(admitted.value.plan);
  try {
    // Counting tokens calls at most one provider and bills nothing: not a plan to walk.
    const counting = admitted.value.plan.endpoint === 'responses.input_tokens';
    const refusal = counting ? await countInputTokens(admitted.value, deps) : await runPlan(admitted.value, deps);
    if (refusal) sendError(res, format.name, refusal);
  } finally {
    slot.release();
  }
}
