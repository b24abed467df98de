/**
 * One relayed request, at the relay's edge: admitted (admit.ts), then its plan walked
 * (run-plan.ts) while it holds the key's parallel slot. Whatever the client is refused is
 * answered here, once, in its own format.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { splitTarget } from '../../lib/request-target';
import { admit } from './admit';
import { clientFormatFor } from './client-formats/index';
import type { RelayDeps } from './deps';
import { sendError } from './respond';
import { runPlan } from './run-plan';

export async function handleRelayRequest(req: IncomingMessage, res: ServerResponse, deps: RelayDeps): Promise<void> {
  const { path, query } = splitTarget(req.url ?? '');
  const format = clientFormatFor(path, query);
  const admitted = await admit(req, res, path, format, deps);
  if (!admitted.ok) return sendError(res, format.name, admitted.error);
  const slot = deps.slots.hold(admitted.value.plan);
  try {
    const refusal = await runPlan(admitted.value, deps);
    if (refusal) sendError(res, format.name, refusal);
  } finally {
    slot.release();
  }
}
