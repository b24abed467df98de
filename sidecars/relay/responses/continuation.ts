/**
 * `previous_response_id` and `store`, at the relay: a request that continues a kept response gets
 * that response's context (its input and output, as input items) before its own input, whatever
 * target answers it; an answered response is kept (unless `store: false`, keeping is off, or the
 * request has no tenant) before its end reaches the client, so a continuation sent the moment
 * the client has it finds it. The gateway owns continuations for every target, OpenAI's too: a
 * plan may fail over between providers, and none of them knows another's response ids.
 */
import { failed, gatewayError, ok, type Result } from '../../../lib/errors';
import type { Logger } from '../../../lib/log';
import type { RoutePlan } from '../../../lib/plan';
import { previousResponseNotFound, type ResponseOwner, type ResponseStore } from '../../../lib/responses';
import { inputItems, outputAsInput } from '../client-formats/responses';

/** Where answered responses are kept, and for how long (null where keeping is off). */
export interface ResponseKeeping {
  store: ResponseStore;
  ttlSeconds: number;
}

/** Keeps one request's answer for a later continuation; never fails the answer. */
export interface ResponseKeeper {
  /** The answer as the client gets it: a response object (its `id` and `output`). */
  keep(answer: unknown): Promise<void>;
}

export interface Continuation {
  /** The request as it goes to the provider: with the earlier context, without previous_response_id. */
  body: Record<string, unknown>;
  keeper: ResponseKeeper | null;
  /** The response continued, for answers that must name it (a pass-through provider never saw it). */
  continues: string | null;
}

const STORE_UNAVAILABLE = gatewayError(
  503,
  'The gateway could not read the previous response right now; the request was not forwarded.',
  'gateway_unavailable',
);

export async function continueResponse(
  body: Record<string, unknown>,
  plan: RoutePlan,
  keeping: ResponseKeeping | null,
  log: Logger,
): Promise<Result<Continuation>> {
  const owner: ResponseOwner | null = plan.billing ? { keyId: plan.billing.keyId, teamId: plan.billing.teamId } : null;
  const previousId = body.previous_response_id;
  let request = body;
  if (typeof previousId === 'string') {
    if (!owner || !keeping) return failed(previousResponseNotFound(previousId));
    let context: Array<Record<string, unknown>> | null;
    try {
      context = await keeping.store.items(owner, previousId);
    } catch (error) {
      log.warn('kept response unreadable', { requestId: plan.requestId, error: (error as Error).message });
      return failed(STORE_UNAVAILABLE);
    }
    if (!context) return failed(previousResponseNotFound(previousId));
    const { previous_response_id: _continued, ...rest } = body;
    void _continued;
    request = { ...rest, input: [...context, ...inputItems(body.input)] };
  }
  const keeps = plan.endpoint === 'responses' && body.store !== false && owner !== null && keeping !== null;
  const keeper = keeps ? storeKeeper(keeping, owner, inputItems(request.input), plan.requestId, log) : null;
  return ok({ body: request, keeper, continues: typeof previousId === 'string' ? previousId : null });
}

function storeKeeper(keeping: ResponseKeeping, owner: ResponseOwner, input: Array<Record<string, unknown>>, requestId: string, log: Logger): ResponseKeeper {
  return {
    async keep(answer) {
      const response = answer as { id?: unknown; output?: unknown } | null;
      if (typeof response?.id !== 'string') return;
      try {
        const kept = await keeping.store.keep(owner, response.id, keptContext(input, response), keeping.ttlSeconds);
        if (!kept) log.warn('response context too large to keep', { requestId });
      } catch (error) {
        // The answer stands; only a continuation of it will be refused.
        log.warn('response not kept', { requestId, error: (error as Error).message });
      }
    },
  };
}

/** What a continuation of this response sends before its own input: the input the response answered, then its output. */
export function keptContext(input: Array<Record<string, unknown>>, response: { output?: unknown }): Array<Record<string, unknown>> {
  return [...input, ...outputAsInput(response.output)];
}
