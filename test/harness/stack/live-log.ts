/**
 * `make dev`'s live log: one compact line per request (request id, status, method, path, route,
 * model, latency; for relayed requests the target, tokens, cost and outcome from the relay's
 * usage record; for refusals the error code), and the relay's, control API's, plugins' and
 * ingress's own log lines at AIGW_LOG_LEVEL and above, every field shown. Only ids, names,
 * numbers and error codes reach it: never a key, a prompt or a completion (no header, query or
 * body is read).
 */
import type { LogLevel } from '../../../lib/log';
import type { UsageRecord } from '../../../sidecars/relay/usage';
import type { AccessEntry, IngressLogEntry } from '../kong-double';

export interface LiveLogOptions {
  write(line: string): void;
  /** relay, control, plugin and ingress lines below this are not shown (default info). */
  level?: LogLevel;
  /** How long a relayed request waits for its usage record before it is shown without. */
  joinWaitMs?: number;
  /** The ingress already prints its lines itself (INGRESS_VERBOSE=1): not again here. */
  ingressPrintsItself?: boolean;
  /** The sidecars' lines are already echoed raw (AIGW_DEV_VERBOSE=1): not again here. */
  sidecarsPrintThemselves?: boolean;
  now?: () => Date;
}

const RANK: Record<string, number> = { debug: 10, info: 20, notice: 25, warn: 30, err: 40, error: 40, crit: 50, alert: 50, emerg: 50 };
/** Usage records waiting for their request's access entry (the relay may finish first). */
const MAX_EARLY_RECORDS = 1000;

const clock = (d: Date): string => d.toTimeString().slice(0, 8) + '.' + String(d.getMilliseconds()).padStart(3, '0');

/** A value as one token: plain when it has no spaces or quotes, JSON otherwise. */
function token(value: unknown): string {
  if (typeof value === 'string' && /^[^\s"=]+$/.test(value)) return value;
  return JSON.stringify(value) ?? String(value);
}

function usd(nano: number | null): string | null {
  return nano === null || nano <= 0 ? null : `$${(nano / 1e9).toFixed(6)}`;
}

/** Colours and cursor moves the plugin server's logger writes even into a pipe. */
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
/** `[plugin:pid] ` in front of what a plugin server printed (test/harness/kong-double/plugin-server.ts). */
const SERVER_OUTPUT = /^\[[^\]\s]+:\d+\] /;
/** kong-js-pluginserver's own lines: `<time> [INFO] text`. */
const SERVER_LEVEL = /\[(DEBUG|INFO|WARN|ERROR)\]\s*(\S.*)$/;

/**
 * What a plugin server printed, as level and text; null for the fragments its logger writes
 * while it redraws a line (a bare time, a level without text).
 */
export function pluginServerOutput(level: string, message: string): { level: string; text: string } | null {
  const tag = SERVER_OUTPUT.exec(message);
  if (!tag) return { level, text: message };
  const text = message.slice(tag[0].length).replace(ANSI, '').trim();
  const leveled = SERVER_LEVEL.exec(text);
  if (leveled) return { level: leveled[1]!.toLowerCase(), text: leveled[2]! };
  if (text === '' || /^\S*\d{4}-\d\d-\d\dT[\d:.]+Z?\s*(\[\w*\]?)?$/.test(text)) return null;
  return { level, text };
}

/** A JSON object line, or null for anything else (shown as it is). */
function parseObject(line: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export class LiveLog {
  private relayAddress: string | null = null;
  private closed = false;
  private readonly threshold: number;
  private readonly joinWaitMs: number;
  private readonly now: () => Date;
  private readonly waiting = new Map<string, { entry: AccessEntry; timer: NodeJS.Timeout }>();
  private readonly early = new Map<string, UsageRecord>();

  constructor(private readonly options: LiveLogOptions) {
    this.threshold = RANK[options.level ?? 'info'] ?? RANK.info;
    this.joinWaitMs = options.joinWaitMs ?? 2000;
    this.now = options.now ?? (() => new Date());
  }

  /** Shows what happens from now on; `relayAddress` (host:port) names the requests that get a usage record. */
  start(relayAddress: string): void {
    this.relayAddress = relayAddress;
  }

  /** Between start() and close(). */
  get started(): boolean {
    return this.relayAddress !== null && !this.closed;
  }

  access(entry: AccessEntry): void {
    if (!this.started) return;
    const record = this.early.get(entry.requestId);
    if (record) {
      this.early.delete(entry.requestId);
      return this.writeRequest(entry, record);
    }
    if (entry.upstream !== this.relayAddress) return this.writeRequest(entry, null);
    const timer = setTimeout(() => {
      this.waiting.delete(entry.requestId);
      this.writeRequest(entry, null);
    }, this.joinWaitMs);
    timer.unref();
    this.waiting.set(entry.requestId, { entry, timer });
  }

  usage(record: UsageRecord): void {
    if (!this.started) return;
    const waiting = this.waiting.get(record.requestId);
    if (!waiting) {
      this.early.set(record.requestId, record);
      if (this.early.size > MAX_EARLY_RECORDS) this.early.delete(this.early.keys().next().value as string);
      return;
    }
    clearTimeout(waiting.timer);
    this.waiting.delete(record.requestId);
    this.writeRequest(waiting.entry, record);
  }

  /** One line a sidecar wrote: its JSON log line, or anything else it printed (a crash). */
  sidecarLine(source: string, line: string): void {
    if (!this.started || this.options.sidecarsPrintThemselves) return;
    const parsed = parseObject(line);
    if (!parsed) return this.options.write(`${clock(this.now())} ${source} ${line}`);
    this.writeJsonLine(source, parsed);
  }

  /** A line of lib/log.ts: time, component, level, msg, then every other field (service only when it differs). */
  private writeJsonLine(source: string, parsed: Record<string, unknown>): void {
    const { time, level, component, msg, ...rest } = parsed;
    const { service, ...fields } = rest;
    if (service !== undefined && service !== component) fields.service = service;
    if ((RANK[String(level)] ?? RANK.error) < this.threshold) return;
    const at = typeof time === 'string' && !Number.isNaN(Date.parse(time)) ? new Date(time) : this.now();
    const extra = Object.entries(fields)
      .map(([k, v]) => ` ${k}=${token(v)}`)
      .join('');
    this.options.write(`${clock(at)} ${token(component ?? source)} ${token(level)} ${String(msg)}${extra}`);
  }

  /** A line the ingress or a plugin (kong.log.*, plugin-server output) logged. */
  ingressLog(entry: IngressLogEntry): void {
    if (!this.started || this.options.ingressPrintsItself) return;
    const line = pluginServerOutput(entry.level, entry.message);
    if (!line) return;
    // A plugin's own line (lib/kong/log.ts) is our JSON: shown like a sidecar's.
    const json = line.text.startsWith('{') ? parseObject(line.text) : null;
    if (json) return this.writeJsonLine(entry.source, json);
    if ((RANK[line.level] ?? RANK.error) < this.threshold) return;
    this.options.write(`${clock(new Date(entry.time))} ${entry.source} ${line.level} ${line.text}`);
  }

  /** Shows the requests still waiting for a usage record; nothing after. */
  close(): void {
    for (const { entry, timer } of this.waiting.values()) {
      clearTimeout(timer);
      this.writeRequest(entry, null);
    }
    this.waiting.clear();
    this.early.clear();
    this.closed = true;
  }

  private writeRequest(entry: AccessEntry, record: UsageRecord | null): void {
    const parts = [
      clock(this.now()),
      entry.requestId,
      String(entry.status),
      entry.method,
      entry.path,
      `route=${entry.route ?? '-'}`,
      `model=${record?.model ?? '-'}`,
    ];
    if (record) {
      parts.push(`via=${record.provider}/${record.providerModel}`);
      if (record.stream) parts.push('stream');
      if (record.usage) parts.push(`tokens=${record.usage.promptTokens}+${record.usage.completionTokens}${record.usage.estimated ? '(estimated)' : ''}`);
      const cost = usd(record.costNano);
      if (cost) parts.push(`cost=${cost}`);
      if (record.compression) parts.push(compressionPart(record.compression));
      if (record.outcome !== 'ok') parts.push(`outcome=${record.outcome}`);
    }
    if (entry.errorCode) parts.push(`error=${token(entry.errorCode)}`);
    parts.push(`${entry.latencyMs}ms`);
    this.options.write(parts.join(' '));
  }
}

/** `compressed=question_aware-1401(saved $0.000210)`, or why it failed open: counts only, never text. */
function compressionPart(compression: NonNullable<UsageRecord['compression']>): string {
  if (compression.outcome !== 'compressed') return `compression=${compression.method}:${compression.outcome}`;
  const saved = usd(compression.savedNano);
  return `compressed=${compression.method}-${compression.tokensSaved}${saved ? `(saved ${saved})` : ''}`;
}
