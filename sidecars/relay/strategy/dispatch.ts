/**
 * Whether a request is a multi-call one: a strategy the client selected, or a cascade the router
 * decided for a request that is not streamed (a streamed one is relayed as planned: its weak
 * model answers, unchecked). True once it answered the client; false: the plan is a plain walk.
 */
import type { RelayRequest } from '../admit';
import type { RelayDeps } from '../deps';
import { runCascade } from './cascade';
import { runStrategy } from './run-strategy';

export async function runMultiCall(request: RelayRequest, deps: RelayDeps): Promise<boolean> {
  const { plan } = request;
  if (plan.strategy) {
    await runStrategy(request, deps);
    return true;
  }
  if (plan.cascade && !request.stream) {
    await runCascade(request, deps);
    return true;
  }
  return false;
}
