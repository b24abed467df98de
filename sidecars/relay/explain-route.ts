/**
 * A request that named a router says which model it got and why, on every answer (JSON, stream
 * or error, a plan walked or a cascade run: a header set on the response before any answer is
 * merged into whichever head the answer writes), and in the debug log.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../../lib/log';
import type { RoutePlan } from '../../lib/plan';
import { ROUTE_HEADER, routeHeaderValue } from '../../lib/router/decision';

export function explainRoute(plan: RoutePlan, res: ServerResponse, log: Logger): void {
  const route = plan.route;
  if (!route) return;
  res.setHeader(ROUTE_HEADER, routeHeaderValue(route));
  log.debug('route', { requestId: plan.requestId, router: route.router, model: route.model, route: route.route, reason: route.reason });
}
