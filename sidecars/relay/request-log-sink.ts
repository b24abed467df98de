/** The relay's usage records as request-log rows (lib/store/request-log.ts), queued for the batch writer. */
import { errorTypeOfOutcome } from '../../lib/observability/error-type';
import type { RequestLogRow } from '../../lib/store/request-log';
import type { RequestLogWriter } from '../../lib/store/request-log-writer';
import type { UsageRecord, UsageSink } from './usage';

export function requestLogRowOf(entry: UsageRecord): RequestLogRow {
  const providerMs = entry.providerMs ?? null;
  return {
    requestId: entry.requestId,
    createdAt: entry.startedAt,
    keyId: entry.keyId,
    teamId: entry.teamId,
    answeredBy: 'relay',
    endpoint: entry.endpoint,
    clientFormat: entry.clientFormat ?? null,
    model: entry.model,
    provider: entry.provider,
    providerModel: entry.providerModel,
    attempts: entry.attempts ?? [],
    status: entry.status,
    outcome: entry.outcome,
    errorType: errorTypeOfOutcome(entry.outcome, entry.status),
    errorCode: entry.errorCode ?? null,
    stream: entry.stream,
    firstByteMs: entry.firstByteMs,
    durationMs: entry.durationMs,
    providerMs,
    overheadMs: providerMs === null ? null : Math.max(0, entry.durationMs - providerMs),
    cache: entry.cacheMiss ? 'miss' : null,
    compression: entry.compression?.outcome ?? null,
    traceId: entry.traceId ?? null,
    guardrailActions: entry.guardrailActions ?? null,
    templateName: entry.templateName ?? null,
    templateVersion: entry.templateVersion ?? null,
  };
}

export class RequestLogSink implements UsageSink {
  constructor(private readonly writer: RequestLogWriter) {}
  record(entry: UsageRecord): void {
    this.writer.write(requestLogRowOf(entry));
  }
  close(): Promise<void> {
    return this.writer.close();
  }
}
