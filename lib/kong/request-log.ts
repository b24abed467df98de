/**
 * Request-log rows for the requests a plugin answers itself (a refusal, a cache hit). Only for a
 * request whose key was verified: an unauthenticated caller must not be able to fill the table
 * (its 401s are counted in metrics only). Writing never fails or delays the answer.
 */
import { endpointOf } from '../endpoints';
import { clientFormatOf, type GatewayError } from '../errors';
import { GuardActions } from '../guardrails/actions';
import type { RequestIdentity } from '../identity';
import { createLogger } from '../log';
import { errorTypeOf } from '../observability/error-type';
import { parseTraceparent, TRACEPARENT_HEADER } from '../observability/traceparent';
import type { CacheOutcome, RequestLogRow } from '../store/request-log';
import { RequestLogWriter } from '../store/request-log-writer';
import { pgFor } from '../store-clients';
import { MAX_MODEL_LENGTH } from '../validate/bounds';
import type { Kong } from './pdk';

/** One writer per database per plugin-server process, shared by every instance of the plugin. */
const writers = new Map<string, RequestLogWriter>();

export function requestLogFor(databaseUrl: string | null | undefined, plugin: string): RequestLogWriter | null {
  if (!databaseUrl) return null;
  let writer = writers.get(databaseUrl);
  if (!writer) {
    writer = new RequestLogWriter(pgFor(databaseUrl), createLogger(plugin));
    writers.set(databaseUrl, writer);
  }
  return writer;
}

/** Who asked, as far as the answering plugin knows. */
export interface PluginAnswered {
  plugin: string;
  requestId: string;
  keyId: string;
  teamId: string | null;
  /** The public model name, when the body was read. */
  model: string | null;
  path: string;
  status: number;
  /** The refusal's code; null for a success. */
  code: string | null;
  startedAt: number;
  traceId: string | null;
  stream?: boolean;
  cache?: CacheOutcome | null;
  /** What the guardrails did (lib/guardrails/actions.ts summary); for a refusal, the detector that blocked. */
  guardrailActions?: string | null;
  /** The prompt template rendered into the request, when one was. */
  template?: { name: string; version: number } | null;
}

export function pluginAnswerRow(a: PluginAnswered): RequestLogRow {
  const now = Date.now();
  return {
    requestId: a.requestId,
    createdAt: a.startedAt,
    keyId: a.keyId,
    teamId: a.teamId,
    answeredBy: a.plugin,
    endpoint: endpointOf(a.path) ?? null,
    clientFormat: clientFormatOf(a.path),
    // A refused body's model is the client's text, not yet validated: never more than a valid name.
    model: a.model ? a.model.slice(0, MAX_MODEL_LENGTH) : null,
    provider: null,
    providerModel: null,
    attempts: [],
    status: a.status,
    outcome: null,
    errorType: errorTypeOf(a.status, a.code),
    errorCode: a.code,
    stream: a.stream ?? false,
    firstByteMs: null,
    durationMs: now - a.startedAt,
    providerMs: 0,
    overheadMs: now - a.startedAt,
    cache: a.cache ?? null,
    compression: null,
    traceId: a.traceId,
    guardrailActions: a.guardrailActions ?? null,
    templateName: a.template?.name ?? null,
    templateVersion: a.template?.version ?? null,
  };
}

/** What the policy plugins before the answering one did to the request: guardrail actions and the template rendered. */
export function policyNotes(identity: Pick<RequestIdentity, 'guardrails' | 'template'>): {
  guardrailActions: string | null;
  template: { name: string; version: number } | null;
} {
  const template = identity.template ? { name: identity.template.name, version: identity.template.version } : null;
  return { guardrailActions: new GuardActions(identity.guardrails?.actions).summary(), template };
}

export interface RefusedRequest {
  requestId: string;
  keyId: string;
  teamId: string | null;
  model: string | null;
  startedAt: number;
  guardrailActions?: string | null;
  template?: { name: string; version: number } | null;
}

/**
 * Logs a plugin's refusal of a verified key's request. Reads the path and traceparent (two round
 * trips, on refusals only); any failure is swallowed: the refusal goes out regardless.
 */
export async function logRefusal(kong: Kong, writer: RequestLogWriter | null, plugin: string, who: RefusedRequest, error: GatewayError): Promise<void> {
  if (!writer) return;
  try {
    // One PDK call at a time: a request's calls are steps of one RPC conversation.
    const path = await kong.request.getPath();
    const traceparent = await kong.request.getHeader(TRACEPARENT_HEADER);
    writer.write(pluginAnswerRow({ plugin, ...who, path, status: error.status, code: error.code, traceId: parseTraceparent(traceparent)?.traceId ?? null }));
  } catch {
    // Observability fails open.
  }
}
