/** GET /admin/console/config: where the console links out to (AIGW_KONG_MANAGER_URL, AIGW_GRAFANA_URL, AIGW_TRACE_URL_TEMPLATE). */
import type { Handler } from '../context';
import { rejectUnknownParams } from './time-range';

export const consoleConfigRoute: Handler = async (ctx, req) => {
  rejectUnknownParams(req.query, []);
  const links = ctx.console?.links;
  return {
    status: 200,
    body: {
      object: 'console_config',
      kong_manager_url: links?.kongManagerUrl ?? null,
      grafana_url: links?.grafanaUrl ?? null,
      trace_url_template: links?.traceUrlTemplate ?? null,
    },
  };
};
