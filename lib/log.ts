/**
 * The one logger: one JSON line per event on stderr (pino's shape without pino: the sidecars need
 * nothing it adds). Each line has time, level, service, component, msg, the request's
 * request_id, trace_id and span_id when known (lib/observability/log-context.ts), then the
 * caller's fields, redacted by lib/observability/log-redaction.ts and capped at 16 KB.
 * Callers pass ids, names and numbers: never a key, a prompt or a completion (README, "Secrets
 * and logs"); the redaction is the safety net, not the plan.
 */
import { currentLogContext, type LogContext } from './observability/log-context';
import { LOG_LIMITS, type LogPolicy, logPolicyFromEnv, redactFields, scrubString } from './observability/log-redaction';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  /** The process (relay, control, inference, a plugin's name); the component by default. */
  service?: string;
  policy?: LogPolicy;
  /** Where lines go (tests); stderr by default. */
  write?: (line: string) => void;
}

/** Fields the line itself owns: a caller's field of the same name is dropped. */
const RESERVED = new Set(['time', 'level', 'service', 'component', 'msg', 'request_id', 'trace_id', 'span_id', 'truncated']);

let defaultPolicy: LogPolicy | null = null;

function envPolicy(): LogPolicy {
  defaultPolicy ??= logPolicyFromEnv();
  return defaultPolicy;
}

export function isLogLevel(level: string): level is LogLevel {
  // Own keys only: a level such as "constructor" must not find Object.prototype's.
  return Object.hasOwn(LEVELS, level);
}

export interface LogEvent {
  level: LogLevel;
  service: string;
  component: string;
  msg: string;
  fields?: Record<string, unknown>;
  context?: LogContext;
}

/** One event as its JSON line (without the newline): redacted, and at most LOG_LIMITS.lineBytes. */
export function formatLogLine(event: LogEvent, policy: LogPolicy = envPolicy(), now: Date = new Date()): string {
  const head: Record<string, unknown> = {
    time: now.toISOString(),
    level: event.level,
    service: event.service,
    component: event.component,
    msg: scrubString(event.msg, policy),
  };
  const { context } = event;
  if (context?.requestId) head.request_id = context.requestId;
  if (context?.traceId) head.trace_id = context.traceId;
  if (context?.spanId) head.span_id = context.spanId;
  const fields = event.fields ? redactFields(event.fields, policy) : {};
  for (const name of Object.keys(fields)) if (RESERVED.has(name)) delete fields[name];
  const line = JSON.stringify({ ...head, ...fields });
  return Buffer.byteLength(line) <= LOG_LIMITS.lineBytes ? line : truncatedLine(head, fields);
}

/** The head (its msg cut to 1 KB), then whole fields while they fit, then `truncated: true`. */
function truncatedLine(head: Record<string, unknown>, fields: Record<string, unknown>): string {
  const msg = String(head.msg);
  const kept: Record<string, unknown> = { ...head, msg: msg.length > 1024 ? `${msg.slice(0, 1024)}…[truncated]` : msg };
  const room = LOG_LIMITS.lineBytes - 32;
  let size = Buffer.byteLength(JSON.stringify(kept));
  for (const [name, value] of Object.entries(fields)) {
    const piece = Buffer.byteLength(JSON.stringify({ [name]: value })) - 1;
    if (size + piece > room) continue;
    kept[name] = value;
    size += piece;
  }
  kept.truncated = true;
  return JSON.stringify(kept);
}

export function createLogger(component: string, level: LogLevel = (process.env.AIGW_LOG_LEVEL as LogLevel) || 'info', options: LoggerOptions = {}): Logger {
  const threshold = isLogLevel(level) ? LEVELS[level] : LEVELS.info;
  const sink = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[lvl] < threshold) return;
    try {
      sink(
        formatLogLine(
          { level: lvl, service: options.service ?? component, component, msg, fields, context: currentLogContext() },
          options.policy ?? envPolicy(),
        ),
      );
    } catch {
      // A line that cannot be written must not fail the request that wrote it.
    }
  };
  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  };
}
