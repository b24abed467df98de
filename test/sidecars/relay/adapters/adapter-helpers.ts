/** What the adapter tests share: a target to translate for, and an error as a client reads it. */
import { errorBody, type GatewayError } from '../../../../lib/errors';
import type { OpenAIErrorBody } from '../../../../lib/openai-error';
import type { PlanTarget } from '../../../../lib/plan';

export function planTarget(provider: PlanTarget['provider'], baseUrl: string, model: string, credential: string | null = null): PlanTarget {
  return { provider, baseUrl, model, credential, timeouts: { connectMs: 1, firstByteMs: 1, idleMs: 1, totalMs: 1 }, pricing: null };
}

/** A gateway error (an adapter's refusal or mapped provider error) as an OpenAI client receives it. */
export function wire(error: GatewayError): OpenAIErrorBody {
  return errorBody('openai', error) as OpenAIErrorBody;
}
