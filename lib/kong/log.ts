/**
 * A plugin's log line for the request it is handling: our JSON line (lib/log.ts, redacted the
 * same way) with the request's Kong request id and trace id, written through kong.log so it
 * lands in Kong's error log beside nginx's own lines for that request.
 */
import { formatLogLine, isLogLevel, type LogLevel } from '../log';
import type { LogContext } from '../observability/log-context';
import { parseTraceparent, TRACEPARENT_HEADER } from '../observability/traceparent';
import type { Kong } from './pdk';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** The level below which nothing is written (AIGW_LOG_LEVEL, let through by kong.conf's nginx_main_env). */
function threshold(): number {
  const level = process.env.AIGW_LOG_LEVEL ?? 'info';
  return isLogLevel(level) ? RANK[level] : RANK.info;
}

/** The request's ids, as far as Kong gives them: a log line goes out without them rather than not at all. */
async function requestContext(kong: Kong): Promise<LogContext> {
  const context: LogContext = {};
  try {
    const requestId = await kong.nginx.getVar('kong_request_id');
    if (requestId) context.requestId = requestId;
    const trace = parseTraceparent(await kong.request.getHeader(TRACEPARENT_HEADER));
    if (trace) context.traceId = trace.traceId;
  } catch {
    // Observability fails open.
  }
  return context;
}

export async function pluginLog(kong: Kong, plugin: string, level: LogLevel, msg: string, fields?: Record<string, unknown>): Promise<void> {
  if (RANK[level] < threshold()) return;
  try {
    const line = formatLogLine({ level, service: plugin, component: plugin, msg, fields, context: await requestContext(kong) });
    await kong.log[level === 'error' ? 'err' : level](line);
  } catch {
    // A line Kong would not take must not fail the request.
  }
}
